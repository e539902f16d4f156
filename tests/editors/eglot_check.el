;;; eglot_check.el --- drive Emacs + Eglot through editors/emacs/apigov.el  -*- lexical-binding: t; -*-
;; Run: emacs --batch -l eglot_check.el (no -Q: Debian's site-start finds elpa-eglot).
;; Opens a description, waits for Flymake diagnostics, applies the quick fix for the first
;; trailing-slash finding, then saves with `apigov-fix-on-save' so that the server's fix-all removes
;; the second one.  Results go to $APIGOV_RESULT as JSON; test_emacs.py checks them.
;; Environment: APIGOV_EMACS_DIR, APIGOV_CMD (JSON list), APIGOV_FILE, APIGOV_RESULT, APIGOV_TIMEOUT.

(require 'json)
(require 'cl-lib)

(defvar apigov-check-steps nil)
(defvar apigov-check-result nil)
(defvar apigov-check-start (float-time))
(defvar apigov-check-timeout (string-to-number (or (getenv "APIGOV_TIMEOUT") "20")))
(defconst apigov-check-slash "oas3-server-trailing-slash")

(defun apigov-check-step (name ok &optional detail)
  (push `((name . ,name) (ok . ,(if ok t :json-false)) (ms . ,(round (* 1000 (- (float-time) apigov-check-start))))
          (detail . ,(format "%S" detail)))
        apigov-check-steps)
  (unless ok (error "step failed: %s: %S" name detail)))

(defun apigov-check-wait (predicate)
  "Process events until PREDICATE holds or the timeout passes; return its value."
  (let ((deadline (+ (float-time) apigov-check-timeout)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun apigov-check-diagnostics ()
  "The buffer's Flymake diagnostics as alists (0-based line, code), sorted by line."
  (sort (mapcar (lambda (d)
                  (let ((lsp (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d)))))
                    `((line . ,(1- (line-number-at-pos (flymake-diagnostic-beg d))))
                      (code . ,(plist-get lsp :code))
                      (message . ,(flymake-diagnostic-text d)))))
                (flymake-diagnostics))
        (lambda (a b) (< (alist-get 'line a) (alist-get 'line b)))))

(defun apigov-check-count (code)
  (cl-count-if (lambda (d) (equal (alist-get 'code d) code)) (apigov-check-diagnostics)))

(defun apigov-check-first-slash ()
  "The first Flymake diagnostic of the trailing-slash rule."
  (car (sort (cl-remove-if-not
              (lambda (d) (equal (plist-get (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))) :code)
                                 apigov-check-slash))
              (flymake-diagnostics))
             (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b))))))

(defun apigov-check-remove-slash (diag)
  "The edit the quick fix makes, by hand: delete the URL's last character, the slash."
  (save-excursion
    (goto-char (1- (flymake-diagnostic-end diag)))
    (cl-assert (eq (char-after) ?/))
    (delete-char 1)))

(defun apigov-check-run ()
  (add-to-list 'load-path (getenv "APIGOV_EMACS_DIR"))
  (require 'yaml-mode)
  (require 'apigov)
  (setq apigov-server-command (json-parse-string (getenv "APIGOV_CMD") :array-type 'list)
        apigov-debounce-ms 50
        apigov-fix-on-save t)
  (apigov-eglot-setup)
  ;; Debian's elpa-eglot lives in .../elpa/eglot-VERSION/
  (push `(eglot . ,(file-name-nondirectory (directory-file-name (file-name-directory (locate-library "eglot")))))
        apigov-check-result)
  (push `(emacs . ,emacs-version) apigov-check-result)
  (find-file (getenv "APIGOV_FILE"))
  (apigov-check-step "yaml-mode" (eq major-mode 'yaml-mode) major-mode)
  ;; eglot-ensure connects from post-command-hook, which batch mode never runs by itself
  (run-hooks 'post-command-hook)
  (apigov-check-step "eglot manages the buffer" (apigov-check-wait (lambda () (and (eglot-managed-p) (eglot-current-server)))))
  (let ((server (eglot-current-server)))
    (apigov-check-step "diagnostics"
                       (apigov-check-wait (lambda () (>= (length (apigov-check-diagnostics)) 3)))
                       (apigov-check-diagnostics))
    (push `(initial . ,(vconcat (apigov-check-diagnostics))) apigov-check-result)
    (push `(code_actions . ,(if (eglot--server-capable :codeActionProvider) t :json-false)) apigov-check-result)
    ;; the quick fix for the first trailing slash, through Eglot's own code action request
    (let* ((code-actions (and (eglot--server-capable :codeActionProvider) t))
           (target (apigov-check-first-slash))
           (actions (and code-actions
                         (eglot-code-actions (flymake-diagnostic-beg target) (flymake-diagnostic-end target) "quickfix")))
           (action (cl-find-if (lambda (a)
                                 (and (plist-get a :edit)
                                      (cl-some (lambda (d) (equal (plist-get d :code) apigov-check-slash))
                                               (plist-get a :diagnostics))))
                               actions)))
      (if (not code-actions)
          ;; no code actions advertised: the edit is made by hand so the session ends, and session_checks.py fails it
          (apigov-check-remove-slash target)
        (apigov-check-step "quick fix offered" action actions)
        (push `(quickfix_title . ,(plist-get action :title)) apigov-check-result)
        (eglot--apply-workspace-edit (plist-get action :edit)))
      ;; what Eglot's idle timer does after an edit (batch mode is never idle)
      (eglot--signal-textDocument/didChange))
    (apigov-check-step "one trailing slash left"
                       (apigov-check-wait (lambda () (= (apigov-check-count apigov-check-slash) 1)))
                       (apigov-check-diagnostics))
    (push `(after_quickfix . ,(vconcat (apigov-check-diagnostics))) apigov-check-result)
    ;; save: `apigov-fix-on-save' applies the server's source.fixAll.apigov action first
    (unless (eglot--server-capable :codeActionProvider)
      (apigov-check-remove-slash (apigov-check-first-slash)))
    (save-buffer)
    (apigov-check-step "no trailing slash after save"
                       (apigov-check-wait (lambda () (= (apigov-check-count apigov-check-slash) 0)))
                       (apigov-check-diagnostics))
    (push `(after_save . ,(vconcat (apigov-check-diagnostics))) apigov-check-result)
    (push `(saved_text . ,(with-temp-buffer (insert-file-contents (getenv "APIGOV_FILE")) (buffer-string)))
          apigov-check-result)
    (push `(modified_after_save . ,(if (buffer-modified-p) t :json-false)) apigov-check-result)
    (eglot-shutdown server)
    (apigov-check-step "server shut down" (not (jsonrpc-running-p server)))))

(let ((ok (condition-case err
              (progn (apigov-check-run) t)
            (error (push `(error . ,(error-message-string err)) apigov-check-result) nil))))
  (push `(ok . ,(if ok t :json-false)) apigov-check-result)
  (push `(steps . ,(vconcat (reverse apigov-check-steps))) apigov-check-result)
  (with-temp-file (getenv "APIGOV_RESULT")
    (insert (json-encode apigov-check-result)))
  (kill-emacs (if ok 0 1)))

;;; eglot_check.el ends here
