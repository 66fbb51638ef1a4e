/** A small page that shows one user's reminders as they arrive (EventSource resumes by itself). */
export const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Reminders</title>
<style>body{font:15px system-ui,sans-serif;max-width:40rem;margin:2rem auto}li{margin:.4rem 0}small{color:#666}</style></head>
<body>
<h1>Reminders</h1>
<form id="f"><label>User id <input id="user" value="user-xyz"></label> <button>Listen</button></form>
<p id="state"></p>
<ul id="list"></ul>
<script>
let source;
document.getElementById('f').onsubmit = (e) => {
  e.preventDefault();
  source?.close();
  document.getElementById('list').innerHTML = '';
  const user = document.getElementById('user').value;
  source = new EventSource('/api/users/' + encodeURIComponent(user) + '/notifications/stream');
  source.onopen = () => (document.getElementById('state').textContent = 'listening for ' + user);
  source.onerror = () => (document.getElementById('state').textContent = 'reconnecting...');
  source.addEventListener('reminder', (event) => {
    const n = JSON.parse(event.data);
    const li = document.createElement('li');
    li.innerHTML = '<b></b> <small></small>';
    li.querySelector('b').textContent = n.title;
    li.querySelector('small').textContent = new Date(n.created_at).toLocaleTimeString();
    document.getElementById('list').prepend(li);
  });
};
</script>
</body>
</html>
`;
