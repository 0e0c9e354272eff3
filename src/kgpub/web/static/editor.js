// The SPARQL editor: the query is POSTed to this endpoint as application/sparql-query, the answer read as
// SPARQL JSON results and shown as a table (a graph answer as Turtle text).
(function(){var f=document.getElementById('editor'),st=document.getElementById('status'),t=document.getElementById('rows');
f.addEventListener('submit',function(e){e.preventDefault();st.textContent='running…';t.textContent='';
fetch('/sparql',{method:'POST',headers:{'Content-Type':'application/sparql-query','Accept':'application/sparql-results+json, text/turtle;q=0.9'},
body:document.getElementById('query').value}).then(function(r){return r.text().then(function(b){return [r,b];});}).then(function(x){var r=x[0],b=x[1];
if(!r.ok){st.textContent=b;return;}if((r.headers.get('content-type')||'').indexOf('json')<0){var p=document.createElement('pre');p.textContent=b;t.appendChild(p);st.textContent='done';return;}
var d=JSON.parse(b);if(d.boolean!==undefined){st.textContent='answer: '+d.boolean;return;}var v=d.head.vars,tr=document.createElement('tr');
v.forEach(function(n){var th=document.createElement('th');th.textContent=n;tr.appendChild(th);});t.appendChild(tr);
d.results.bindings.forEach(function(row){var tr=document.createElement('tr');v.forEach(function(n){var td=document.createElement('td'),c=row[n];
if(c){if(c.type==='uri'){var a=document.createElement('a'),B=f.dataset.base;a.href=c.value.indexOf(B)===0?f.dataset.path+c.value.slice(B.length):c.value;a.textContent=c.value;td.appendChild(a);}else{td.textContent=c.value;}}tr.appendChild(td);});t.appendChild(tr);});
st.textContent=d.results.bindings.length+' rows';}).catch(function(err){st.textContent=String(err);});});})();
