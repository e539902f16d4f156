"""The apigov language server: thin LSP handlers over the lint engine.

`server.py` wires LSP methods to feature objects; `workspace.py` knows which files are API
descriptions and which roots use a file; `checker.py` runs lints off the event loop;
`diagnostics.py` publishes (or answers pulls for) the results; `navigation.py`,
`symbols.py` and `completion.py` answer editor requests from the last completed model.
"""
