// The front page's search: case- and accent-blind substring match over labels, the first 50 hits shown.
// The rows come from /search.js (window.KGPUB_SEARCH), a script so that a site opened from disk loads them too.
(function(){var d=window.KGPUB_SEARCH||[],q=document.getElementById('q'),h=document.getElementById('hits');
function n(s){return s.normalize('NFD').replace(/[\u0300-\u036f]/g,'').toLowerCase();}
var k=d.map(function(r){return n(r[0]);});
function show(){var t=n(q.value.trim());h.textContent='';if(!t)return;var c=0;
for(var i=0;i<d.length&&c<50;i++){if(k[i].indexOf(t)<0)continue;c++;var li=document.createElement('li'),a=document.createElement('a');
a.href=d[i][2];a.textContent=d[i][0];li.appendChild(a);var s=document.createElement('small');s.textContent=' '+d[i][1];li.appendChild(s);h.appendChild(li);}
if(!c){var li=document.createElement('li');li.textContent='no page has that in its label';h.appendChild(li);}}
q.addEventListener('input',show);show();})();
