// The SPARQL editor: the page's textarea made a CodeMirror editor (static/vendor/codemirror, its SPARQL mode), which
// highlights the query; Ctrl-Enter (Cmd-Enter) runs it, and picking an example puts its text in the editor. The
// form is sent as it is without this script (the server runs the query and draws the answer), so the page works
// with no script at all, and its URL is the permalink.
(function () {
  var area = document.getElementById('query'), form = document.getElementById('editor');
  if (!area || !form || typeof CodeMirror === 'undefined') return;
  function run() { editor.save(); form.submit(); }
  var editor = CodeMirror.fromTextArea(area, {
    mode: 'sparql', lineNumbers: true, lineWrapping: true, indentUnit: 2, viewportMargin: Infinity,
    inputStyle: 'contenteditable', screenReaderLabel: 'SPARQL query',
    extraKeys: {'Ctrl-Enter': run, 'Cmd-Enter': run}
  });
  var picker = document.getElementById('example'), texts = document.getElementById('example-texts');
  if (picker && texts) {
    var known = JSON.parse(texts.textContent);
    var open = document.querySelector('#examples button');
    if (open) open.hidden = true;  // the choice fills the editor at once; without this script, Open asks the server
    picker.addEventListener('change', function () {
      if (Object.prototype.hasOwnProperty.call(known, picker.value)) {
        editor.setValue(known[picker.value]);
        editor.focus();
      }
    });
  }
})();
