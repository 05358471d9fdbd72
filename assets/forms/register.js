// The register form (templates/register.html): the hospital admin's fields show only while that
// role is chosen. Without this script they simply stay visible (their legend says who they are
// for). A plain file, not inline, so the page's Content-Security-Policy can refuse every inline
// script. Not loaded by Dash pages (app.py: assets_path_ignore).
(function () {
  const form = document.getElementById('register-form');
  const fields = document.getElementById('hospital-fields');
  if (!form || !fields) { return; }
  function show() {
    const chosen = form.querySelector("input[name='role']:checked");
    fields.hidden = !(chosen && chosen.value === 'hospital_admin');
  }
  form.addEventListener('change', function (event) {
    if (event.target.name === 'role') { show(); }
  });
  show();
}());
