;;; lsp_mode_check.el --- drive Emacs + lsp-mode through editors/emacs/apigov.el  -*- lexical-binding: t; -*-
;; Run: emacs --batch -l lsp_mode_check.el (no -Q: Debian's site-start finds elpa-lsp-mode).
;; The same session as eglot_check.el, with the documented lsp-mode setup: open a description,
;; wait for diagnostics, apply the quick fix for the first trailing-slash finding, then save with
;; `apigov-fix-on-save' so that the server's fix-all removes the second one.  Results go to
;; $APIGOV_RESULT as JSON; test_emacs.py checks them.
;; Environment: APIGOV_EMACS_DIR, APIGOV_CMD (JSON list), APIGOV_FILE, APIGOV_RESULT, APIGOV_TIMEOUT,
;; APIGOV_STATE (a scratch folder for lsp-mode's session file).

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

(defun apigov-check-lsp-diagnostics ()
  "lsp-mode's diagnostics for the buffer (LSP Diagnostic objects), first line first."
  (sort (copy-sequence (lsp--get-buffer-diagnostics))
        (lambda (a b) (< (lsp:position-line (lsp:range-start (lsp:diagnostic-range a)))
                         (lsp:position-line (lsp:range-start (lsp:diagnostic-range b)))))))

(defun apigov-check-diagnostics ()
  "The buffer's diagnostics as alists (0-based line, code, message)."
  (mapcar (lambda (d)
            `((line . ,(lsp:position-line (lsp:range-start (lsp:diagnostic-range d))))
              (code . ,(lsp:diagnostic-code? d))
              (message . ,(lsp:diagnostic-message d))))
          (apigov-check-lsp-diagnostics)))

(defun apigov-check-count (code)
  (cl-count-if (lambda (d) (equal (alist-get 'code d) code)) (apigov-check-diagnostics)))

(defun apigov-check-flymake-count ()
  "How many diagnostics Flymake shows (what the user sees; lsp-mode's store has the codes)."
  (length (flymake-diagnostics)))

(defun apigov-check-first-slash ()
  "The first trailing-slash diagnostic."
  (cl-find-if (lambda (d) (equal (lsp:diagnostic-code? d) apigov-check-slash)) (apigov-check-lsp-diagnostics)))

(defun apigov-check-remove-slash (diag)
  "The edit the quick fix makes, by hand: delete the URL's last character, the slash."
  (save-excursion
    (goto-char (1- (lsp--position-to-point (lsp:range-end (lsp:diagnostic-range diag)))))
    (cl-assert (eq (char-after) ?/))
    (delete-char 1)))

(defun apigov-check-workspace ()
  "The buffer's apigov workspace."
  (cl-find-if (lambda (w) (eq (lsp--client-server-id (lsp--workspace-client w)) 'apigov)) (lsp-workspaces)))

(defun apigov-check-run ()
  (let ((state (file-name-as-directory (getenv "APIGOV_STATE")))
        (file (getenv "APIGOV_FILE")))
    ;; what an interactive Emacs does at startup and batch mode skips: the packages' autoloads
    ;; (lsp-mode calls its autoloaded modeline and diagnostics modes once a server is up)
    (package-activate-all)
    (add-to-list 'load-path (getenv "APIGOV_EMACS_DIR"))
    (require 'yaml-mode)
    ;; headless and deterministic: no session file in ~/.emacs.d, no prompt to import the project
    ;; root (the folder is added below, as answering that prompt would), no file watchers, no UI
    (setq lsp-session-file (expand-file-name "lsp-session" state)
          lsp-server-install-dir (expand-file-name "servers" state)
          lsp-enable-file-watchers nil
          lsp-restart 'ignore
          lsp-keep-workspace-alive nil
          lsp-auto-guess-root nil
          lsp-enable-snippet nil
          lsp-headerline-breadcrumb-enable nil
          lsp-modeline-code-actions-enable nil
          lsp-modeline-diagnostics-enable nil
          lsp-enable-symbol-highlighting nil
          lsp-response-timeout apigov-check-timeout)
    ;; the documented setup (editors/emacs/README.md)
    (require 'apigov)
    (setq apigov-server-command (json-parse-string (getenv "APIGOV_CMD") :array-type 'list)
          apigov-debounce-ms 50
          apigov-fix-on-save t)
    (apigov-lsp-mode-setup)
    (push `(lsp_mode . ,(file-name-nondirectory (directory-file-name (file-name-directory (locate-library "lsp-mode")))))
          apigov-check-result)
    (push `(emacs . ,emacs-version) apigov-check-result)
    (lsp-workspace-folders-add (file-name-directory file))
    (find-file file)
    (apigov-check-step "yaml-mode" (eq major-mode 'yaml-mode) major-mode)
    (apigov-check-step "lsp-deferred ran from the mode hook" (bound-and-true-p lsp--buffer-deferred))
    ;; what lsp-deferred's idle timer does (batch mode is never idle)
    (lsp--init-if-visible)
    (apigov-check-step "lsp-mode manages the buffer with apigov"
                       (apigov-check-wait (lambda () (let ((w (apigov-check-workspace)))
                                                       (and w (eq (lsp--workspace-status w) 'initialized)))))
                       (mapcar #'lsp--workspace-print (lsp-workspaces)))
    (let ((workspace (apigov-check-workspace)))
      (apigov-check-step "diagnostics"
                         (apigov-check-wait (lambda () (>= (length (apigov-check-diagnostics)) 3)))
                         (apigov-check-diagnostics))
      (push `(initial . ,(vconcat (apigov-check-diagnostics))) apigov-check-result)
      (push `(flymake_initial . ,(apigov-check-flymake-count)) apigov-check-result)
      (push `(fix_on_save_hook . ,(if (memq #'apigov--lsp-fix-before-save before-save-hook) t :json-false))
            apigov-check-result)
      (push `(code_actions . ,(if (lsp--capability :codeActionProvider) t :json-false)) apigov-check-result)
      (let* ((code-actions (and (lsp--capability :codeActionProvider) t))
             (target (apigov-check-first-slash)))
        (if (not code-actions)
            ;; no code actions advertised: the edit is made by hand so the session ends, and session_checks.py fails it
            (apigov-check-remove-slash target)
          ;; what `lsp-execute-code-action' does with point on the diagnostic: ask for the line's
          ;; actions, pick one, apply it
          (goto-char (lsp--position-to-point (lsp:range-start (lsp:diagnostic-range target))))
          (let* ((actions (lsp-code-actions-at-point))
                 (action (cl-find-if (lambda (a)
                                       (and (lsp:code-action-edit? a)
                                            (equal (lsp:code-action-kind? a) "quickfix")
                                            (cl-some (lambda (d) (equal (lsp:diagnostic-code? d) apigov-check-slash))
                                                     (lsp:code-action-diagnostics? a))))
                                     actions)))
            (apigov-check-step "quick fix offered" action actions)
            (push `(quickfix_title . ,(lsp:code-action-title action)) apigov-check-result)
            (lsp-execute-code-action action))))
      (apigov-check-step "one trailing slash left"
                         (apigov-check-wait (lambda () (= (apigov-check-count apigov-check-slash) 1)))
                         (apigov-check-diagnostics))
      (push `(after_quickfix . ,(vconcat (apigov-check-diagnostics))) apigov-check-result)
      ;; save: `apigov-fix-on-save' applies the server's source.fixAll.apigov action first
      (unless (lsp--capability :codeActionProvider)
        (apigov-check-remove-slash (apigov-check-first-slash)))
      (save-buffer)
      (apigov-check-step "no trailing slash after save"
                         (apigov-check-wait (lambda () (= (apigov-check-count apigov-check-slash) 0)))
                         (apigov-check-diagnostics))
      (push `(after_save . ,(vconcat (apigov-check-diagnostics))) apigov-check-result)
      (push `(flymake_after_save . ,(apigov-check-flymake-count)) apigov-check-result)
      (push `(saved_text . ,(with-temp-buffer (insert-file-contents file) (buffer-string)))
            apigov-check-result)
      (push `(modified_after_save . ,(if (buffer-modified-p) t :json-false)) apigov-check-result)
      ;; lsp-mode gives the shutdown request 0.5 s, logs an error if it goes unanswered, then kills
      ;; the process anyway: collect its errors to see that the server answered in time
      (let ((errors nil))
        (cl-letf* ((log-error (symbol-function 'lsp--error))
                   ((symbol-function 'lsp--error) (lambda (&rest args)
                                                     (push (apply #'format args) errors)
                                                     (apply log-error args))))
          (lsp-workspace-shutdown workspace))
        (push `(shutdown_errors . ,(vconcat errors)) apigov-check-result))
      (apigov-check-step "server shut down"
                         (apigov-check-wait (lambda () (not (process-live-p (lsp--workspace-proc workspace)))))))))

(let ((ok (condition-case err
              (progn (apigov-check-run) t)
            (error (push `(error . ,(error-message-string err)) apigov-check-result) nil))))
  (push `(ok . ,(if ok t :json-false)) apigov-check-result)
  (push `(steps . ,(vconcat (reverse apigov-check-steps))) apigov-check-result)
  (with-temp-file (getenv "APIGOV_RESULT")
    (insert (json-encode apigov-check-result)))
  (kill-emacs (if ok 0 1)))

;;; lsp_mode_check.el ends here
