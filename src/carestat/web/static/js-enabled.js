// govuk-frontend's page template does this in an inline script; a static file keeps the
// Content-Security-Policy free of inline scripts. Loaded at the top of <body>, before paint.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
