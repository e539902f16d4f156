;;; apigov.el --- apigov-ls (OpenAPI linting) for Eglot and lsp-mode  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages, tools

;;; Commentary:

;; apigov-ls lints OpenAPI 2.0/3.x descriptions with Spectral-compatible rulesets.
;;
;; Eglot (built in from Emacs 29; the `elpa-eglot' package on Debian's Emacs 28):
;;   (require 'apigov)
;;   (apigov-eglot-setup)            ; registers the server, starts it in YAML/JSON buffers
;;
;; lsp-mode (runs beside other YAML/JSON servers as an add-on client):
;;   (require 'apigov)
;;   (apigov-lsp-mode-setup)         ; registers the client, runs `lsp-deferred' in YAML/JSON buffers
;;
;; Settings are the defcustoms below (M-x customize-group RET apigov); they reach the server as
;; initializationOptions, so restart the server after changing them.  `apigov-fix-on-save'
;; applies the server's fix-all action (safe fixes only) before each save.

;;; Code:

(require 'cl-lib)

(defgroup apigov nil
  "OpenAPI governance and security linting with apigov-ls."
  :group 'tools
  :prefix "apigov-")

(defcustom apigov-server-command '("apigov-ls")
  "The server command.
`apigov-ls' on PATH, or e.g. (\"python3\" \"-m\" \"apigov_ls.server\")."
  :type '(repeat string))

(defcustom apigov-ruleset nil
  "A ruleset file or built-in name (spectral:oas, ...).
nil: the nearest .spectral.{yaml,yml,json}."
  :type '(choice (const :tag "Nearest .spectral file" nil) string))

(defcustom apigov-run "onType"
  "When to lint: while typing (debounced) or on open and save."
  :type '(choice (const "onType") (const "onSave")))

(defcustom apigov-debounce-ms 200
  "With `apigov-run' onType: milliseconds to wait after the last change."
  :type 'integer)

(defcustom apigov-severity-overrides nil
  "Severity per rule over the ruleset's: an alist (RULE . SEVERITY).
SEVERITY is one of \"error\" \"warn\" \"info\" \"hint\" \"off\"."
  :type '(alist :key-type string :value-type string))

(defcustom apigov-include nil
  "Glob patterns of files to lint even without a root openapi/swagger key."
  :type '(repeat string))

(defcustom apigov-exclude nil
  "Glob patterns of files never to lint."
  :type '(repeat string))

(defcustom apigov-max-file-size nil
  "Files larger than this many characters are not parsed.
nil: the server's default (20 MB)."
  :type '(choice (const :tag "Server default" nil) integer))

(defcustom apigov-allowed-ref-roots nil
  "Folders outside the project that $refs may read.
The workspace and each file's own folder are always allowed."
  :type '(repeat directory))
(put 'apigov-allowed-ref-roots 'risky-local-variable t)

(defcustom apigov-trusted nil
  "Non-nil lets rulesets run their custom functions (JavaScript or Python).
Only for repositories whose rulesets you trust.  This is a user option on
purpose: a project's .dir-locals.el cannot switch it on."
  :type 'boolean)
;; never from .dir-locals.el: a cloned repository must not be able to enable its own code
(put 'apigov-trusted 'risky-local-variable t)
(put 'apigov-server-command 'risky-local-variable t)

(defcustom apigov-fix-on-save nil
  "Non-nil: apply the server's fix-all code action before saving.
Only buffers that the apigov server manages."
  :type 'boolean)

(defcustom apigov-major-modes '(yaml-mode yaml-ts-mode json-mode json-ts-mode js-json-mode)
  "Major modes whose buffers apigov-ls checks."
  :type '(repeat symbol))

(defconst apigov-fix-all-kind "source.fixAll.apigov"
  "The code action kind of the server's fix-all action.")

(defconst apigov-install-command "python3 -m pip install /path/to/apigov-ls (a checkout)"
  "How to install the server.")

(defun apigov-settings ()
  "The server's \"apigov\" settings, ready for JSON."
  (let ((overrides (make-hash-table :test 'equal)))
    (dolist (entry apigov-severity-overrides)
      (puthash (car entry) (cdr entry) overrides))
    (list :ruleset apigov-ruleset            ; nil is JSON null: the nearest .spectral file
          :run apigov-run
          :debounceMs apigov-debounce-ms
          :severityOverrides overrides
          :include (vconcat apigov-include)
          :exclude (vconcat apigov-exclude)
          :maxFileSize apigov-max-file-size
          :allowedRefRoots (vconcat (mapcar #'expand-file-name apigov-allowed-ref-roots))
          :trusted (if apigov-trusted t :json-false))))

(defun apigov--check-server ()
  "Signal a `user-error' with the install command if the server is missing."
  (let ((program (car apigov-server-command)))
    (unless (and program (or (file-executable-p program) (executable-find program)))
      (user-error "apigov: `%s' not found; install it with: %s (or set `apigov-server-command')"
                  program apigov-install-command))))

;;;; Eglot

(declare-function eglot-code-actions "eglot")
(declare-function eglot-current-server "eglot")
(declare-function eglot-managed-p "eglot")
(declare-function eglot-ensure "eglot")
(defvar eglot-server-programs)

(defun apigov-eglot-contact (&optional _interactive)
  "The Eglot contact for apigov-ls: the command and its initializationOptions."
  (apigov--check-server)
  (append apigov-server-command
          (list :initializationOptions (lambda (_server) (apigov-settings)))))

(defun apigov-eglot-fix-all ()
  "Apply the server's fix-all action to the buffer.
Return non-nil when one was applied."
  (interactive)
  (condition-case err
      (progn (eglot-code-actions (point-min) (point-max) apigov-fix-all-kind t) t)
    (error
     (when (called-interactively-p 'any)
       (message "apigov: %s" (error-message-string err)))
     nil)))

(defun apigov--eglot-fix-before-save ()
  (when (eglot-current-server)
    (apigov-eglot-fix-all)))

(defun apigov--eglot-managed ()
  "Add or remove the fix-on-save hook as Eglot starts or stops managing a buffer."
  (if (and apigov-fix-on-save (eglot-managed-p) (apply #'derived-mode-p apigov-major-modes))
      (add-hook 'before-save-hook #'apigov--eglot-fix-before-save nil t)
    (remove-hook 'before-save-hook #'apigov--eglot-fix-before-save t)))

;;;###autoload
(defun apigov-eglot-setup (&optional no-autostart)
  "Register apigov-ls with Eglot.
Unless NO-AUTOSTART, start it in `apigov-major-modes' buffers."
  (require 'eglot)
  (add-to-list 'eglot-server-programs (cons apigov-major-modes #'apigov-eglot-contact))
  (add-hook 'eglot-managed-mode-hook #'apigov--eglot-managed)
  (unless no-autostart
    (dolist (mode apigov-major-modes)
      (add-hook (intern (format "%s-hook" mode)) #'eglot-ensure))))

;;;; lsp-mode

(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(declare-function lsp-execute-code-action-by-kind "lsp-mode")
(declare-function lsp-find-workspace "lsp-mode")
(declare-function lsp-workspaces "lsp-mode")
(declare-function lsp-deferred "lsp-mode")

(defun apigov--lsp-managed-p ()
  "Non-nil when lsp-mode runs the apigov server for this buffer."
  (and buffer-file-name
       (bound-and-true-p lsp-mode)
       (memq (lsp-find-workspace 'apigov buffer-file-name) (lsp-workspaces))))

(defun apigov--lsp-server-present-p ()
  "Whether the server command exists; if not, say how to install it.
lsp-mode then leaves the client out instead of failing to start it."
  (condition-case err
      (progn (apigov--check-server) t)
    (user-error (message "%s" (error-message-string err)) nil)))

(defun apigov-lsp-fix-all ()
  "Apply the server's fix-all action to the buffer (lsp-mode)."
  (interactive)
  (lsp-execute-code-action-by-kind apigov-fix-all-kind))

(defun apigov--lsp-fix-before-save ()
  (when (apigov--lsp-managed-p)
    ;; nothing to fix is not an error worth interrupting a save for
    (ignore-errors (apigov-lsp-fix-all))))

(defun apigov--lsp-after-open ()
  "Add the fix-on-save hook when lsp-mode opens a buffer with the apigov server."
  (when (and apigov-fix-on-save (apigov--lsp-managed-p))
    (add-hook 'before-save-hook #'apigov--lsp-fix-before-save nil t)))

;;;###autoload
(defun apigov-lsp-mode-setup (&optional no-autostart)
  "Register apigov-ls with lsp-mode, as an add-on beside other YAML/JSON servers.
Unless NO-AUTOSTART, start lsp-mode (`lsp-deferred') in the buffers of
`apigov-major-modes'."
  (require 'lsp-mode)
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () apigov-server-command) #'apigov--lsp-server-present-p)
    ;; by major mode, not `lsp-activate-on': lsp-mode 8.0 gives yaml-mode the language id
    ;; "spring-boot-properties-yaml", so (lsp-activate-on "yaml") never matched a YAML buffer there
    :activation-fn (lambda (_file mode) (apply #'provided-mode-derived-p mode apigov-major-modes))
    :server-id 'apigov
    :add-on? t
    :initialization-options #'apigov-settings))
  (add-hook 'lsp-after-open-hook #'apigov--lsp-after-open)
  (unless no-autostart
    (dolist (mode apigov-major-modes)
      (add-hook (intern (format "%s-hook" mode)) #'lsp-deferred))))

(provide 'apigov)
;;; apigov.el ends here
