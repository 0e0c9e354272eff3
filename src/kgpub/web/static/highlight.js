// A static site's SPARQL page: each query's text highlighted as the server's editor highlights it, by CodeMirror's
// SPARQL mode run over the text (vendor/codemirror/runmode-standalone.js, no editor). The text stays as it is.
(function () {
  if (typeof CodeMirror === 'undefined' || !CodeMirror.runMode) return;
  [].forEach.call(document.querySelectorAll('pre.query code'), function (code) {
    CodeMirror.runMode(code.textContent, 'sparql', code);
  });
})();
