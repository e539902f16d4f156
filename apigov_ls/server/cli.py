"""`apigov-ls`: start the language server (stdio by default, or `--tcp HOST:PORT`)."""

from __future__ import annotations

import argparse
import logging
import sys

from apigov_ls import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="apigov-ls", description="apigov language server (LSP) for OpenAPI descriptions")
    parser.add_argument("--version", action="version", version=f"apigov-ls {__version__}")
    parser.add_argument("--stdio", action="store_true", help="talk LSP over standard input/output (the default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP address instead of stdio")
    parser.add_argument("--log-file", metavar="FILE", help="write the server's log to this file")
    parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="log level (default: WARNING)")
    return parser


def parse_tcp(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"--tcp expects HOST:PORT, got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def configure_logging(level: str, handler: logging.Handler) -> None:
    """--log-level applies to apigov's loggers; pygls logs every message body at INFO (160 KB per
    publish of a big document), so it stays at WARNING (or quieter) unless the level is DEBUG."""
    value = getattr(logging, level)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(max(value, logging.WARNING))
    logging.getLogger("apigov_ls").setLevel(value)
    logging.getLogger("pygls").setLevel(value if value == logging.DEBUG else max(value, logging.WARNING))


def create_server():
    from apigov_ls.server.handlers import register_handlers
    from apigov_ls.server.server import ApigovLanguageServer

    server = ApigovLanguageServer()
    register_handlers(server)
    return server


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    tcp = None
    if args.tcp:
        try:
            tcp = parse_tcp(args.tcp)
        except argparse.ArgumentTypeError as err:
            parser.error(str(err))
    # stdout carries the protocol on stdio: logs go to a file or stderr, never stdout
    handler = logging.FileHandler(args.log_file, encoding="utf-8") if args.log_file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    configure_logging(args.log_level, handler)
    server = create_server()
    if tcp:
        server.start_tcp(*tcp)
    else:
        server.start_io()


if __name__ == "__main__":
    main()
