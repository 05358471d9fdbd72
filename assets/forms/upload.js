// The report upload form (templates/reports_upload.html): progress while the file travels; the
// server's answer (JSON) then shows in place. A plain file, not inline, so the page's
// Content-Security-Policy can refuse every inline script. Not loaded by Dash pages
// (app.py: assets_path_ignore). Every word it shows itself comes from the page's JSON block
// #upload-words, in the reader's language (web/report_files.py); the server's answers come in it too.
var UPLOAD_WORDS = {};
try { UPLOAD_WORDS = JSON.parse(document.getElementById('upload-words').textContent); } catch (e) { UPLOAD_WORDS = {}; }
document.getElementById('upload-form').addEventListener('submit', function (event) {
  event.preventDefault();
  const form = event.target, bar = document.querySelector('#upload-progress .progress-bar');
  const box = document.getElementById('upload-progress'), result = document.getElementById('upload-result');
  const button = document.getElementById('upload-submit');
  const xhr = new XMLHttpRequest();
  xhr.open('POST', form.action || window.location.pathname);
  xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
  xhr.upload.onprogress = function (e) {
    if (e.lengthComputable) { const p = Math.round(100 * e.loaded / e.total); bar.style.width = p + '%'; bar.textContent = p + '%'; }
  };
  xhr.onload = function () {
    let data = {};
    try { data = JSON.parse(xhr.responseText); } catch (err) { data = {ok: false, message: (UPLOAD_WORDS.failed || 'The upload failed (%(status)s).').replace('%(status)s', String(xhr.status))}; }
    const div = document.createElement('div');
    div.className = 'alert fs-5 ' + (data.ok ? 'alert-success' : 'alert-danger');
    div.textContent = data.message;
    if (data.report) { const s = document.createElement('div'); s.className = 'small mt-1 text-break'; s.textContent = 'SHA-256: ' + data.report.sha256; div.appendChild(s); }
    result.replaceChildren(div);
    button.disabled = false;
    if (data.ok) { form.reset(); }
  };
  xhr.onerror = function () { result.textContent = UPLOAD_WORDS.connection || 'The connection failed. Nothing was stored; try again.'; button.disabled = false; };
  box.classList.remove('d-none'); bar.style.width = '0%'; bar.textContent = '0%'; button.disabled = true;
  xhr.send(new FormData(form));
});
