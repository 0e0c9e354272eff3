// The front page's search, the same for kgpub serve and kgpub site.  The rows come from /search.js
// (window.KGPUB_SEARCH), a script so that a site opened from disk loads them too; an entity's row carries
// the keys duplicate detection compares (kgpub.corpus.identity: name_key and skeleton of its label and
// aliases), and what is typed is folded here by the tables the file gives (rules), step for step as
// name_key and skeleton do, so "Kadhimi" finds Mustafa al-Kadhemi and "PMF" the Hashed al-Shaabi.
// Ranks: the label's key, an alias's key, a key's word, a key's part, a skeleton, a skeleton's words, a
// skeleton one edit away (as duplicate detection's hint); then the file's order (entities first).
(function(){
var D=window.KGPUB_SEARCH||{rules:{articles:[],digraphs:[],letters:{},vowels:'',marks:'',near:6},kinds:[],root:'/',suffix:'',rows:[]};
var R=D.rules,ART={},VOW={},MARKS=new RegExp('['+R.marks.replace(/[\\\]^-]/g,'\\$&')+']','g');
R.articles.forEach(function(a){ART[a]=1;});R.vowels.split('').forEach(function(v){VOW[v]=1;});
function tokens(s){
  s=s.normalize('NFKD').replace(/(?!\u034f)\p{M}/gu,''); // the marks of a letter (combining class > 0)
  return s.toLowerCase().replace(MARKS,'').split(/[^a-z0-9]+/).filter(function(t){return t;});}
function nameKey(s){var t=tokens(s),k=t.filter(function(w){return !ART[w];});return (k.length?k:t).join(' ');}
function word(w){
  R.digraphs.forEach(function(p){w=w.split(p[0]).join(p[1]);});
  w=w.split('').map(function(c){return R.letters.hasOwnProperty(c)?R.letters[c]:c;}).join('');
  var kept=w.slice(0,1)+w.slice(1).split('').filter(function(c){return !VOW[c];}).join('');
  return kept.replace(/(.)\1+/g,'$1');}
function skeleton(s){var k=nameKey(s);return k?k.split(' ').map(word).join(' '):'';}
function initials(k){return k.split(' ').map(function(w){return w[0];}).join('');}
function oneEdit(a,b){ // Levenshtein distance at most 1
  if(a===b)return true;var m=a.length,n=b.length;if(Math.abs(m-n)>1)return false;
  var i=0;while(i<m&&i<n&&a[i]===b[i])i++;
  if(m===n)return a.slice(i+1)===b.slice(i+1);return m>n?a.slice(i+1)===b.slice(i):a.slice(i)===b.slice(i+1);}
var keyed=null;
function prepare(){ // an entity's keys from the file; another row's words from its label, once
  keyed=D.rows.map(function(r){
    if(r.length>3){var p=r[3].split('/');return {n:p[0].split('|'),s:p[1].split('|')};}
    return {t:tokens(r[0]).join(' ')};});}
function rank(k,q,qs,qt,qi){
  if(k.t!==undefined){var t=' '+k.t;if(qt&&t.indexOf(' '+qt)>=0)return 2;return qt&&k.t.indexOf(qt)>=0?3:-1;}
  var i;if(k.n[0]===q)return 0;if(k.n.indexOf(q)>=0)return 1;
  for(i=0;i<k.n.length;i++)if((' '+k.n[i]).indexOf(' '+q)>=0)return 2;
  for(i=0;i<k.n.length;i++)if(k.n[i].indexOf(q)>=0)return 3;
  if(!qs)return -1;if(k.s.indexOf(qs)>=0)return 4;
  for(i=0;i<k.s.length;i++)if((' '+k.s[i]+' ').indexOf(' '+qs+' ')>=0)return 5;
  if(qs.length>=R.near)for(i=0;i<k.s.length;i++){var s=k.s[i];
    if(s.length>=R.near&&initials(s)===qi&&oneEdit(s,qs))return 6;}
  return -1;}
function find(text,most){
  var q=nameKey(text),qt=tokens(text).join(' ');if(!q)return [];if(!keyed)prepare();
  var qs=skeleton(text),qi=initials(qs),hits=[];
  for(var i=0;i<D.rows.length;i++){var r=rank(keyed[i],q,qs,qt,qi);if(r>=0)hits.push([r,i]);}
  hits.sort(function(a,b){return a[0]-b[0]||a[1]-b[1];});
  return hits.slice(0,most||50).map(function(h){var row=D.rows[h[1]];
    return {label:row[0],kind:D.kinds[row[1]]||'',href:row[2].charAt(0)==='/'?row[2]:D.root+row[2]+D.suffix,rank:h[0]};});}
window.KGPUB_FIND={tokens:tokens,nameKey:nameKey,skeleton:skeleton,find:find};
var q=document.getElementById('q'),h=document.getElementById('hits');if(!q||!h)return;
function show(){h.textContent='';if(!q.value.trim())return;var found=find(q.value,50);
  found.forEach(function(f){var li=document.createElement('li'),a=document.createElement('a');
    a.href=f.href;a.textContent=f.label;li.appendChild(a);var s=document.createElement('small');
    s.textContent=' '+f.kind+(f.rank>=4?' (another spelling)':'');li.appendChild(s);h.appendChild(li);});
  if(!found.length){var li=document.createElement('li');li.textContent='no page has that name';h.appendChild(li);}}
q.addEventListener('input',show);show();})();
