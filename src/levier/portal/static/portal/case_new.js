/* Show only the identity block matching the kind chosen (the page works without it).
   A file rather than an inline script: the Content-Security-Policy refuses inline scripts. */
(function () {
  var radios = document.querySelectorAll('input[name="identity-kind"]');
  function update() {
    var chosen = document.querySelector('input[name="identity-kind"]:checked');
    document.querySelectorAll('[data-levier-kind]').forEach(function (block) {
      block.hidden = chosen && block.getAttribute('data-levier-kind') !== chosen.value;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener('change', update); });
  update();
  var summary = document.getElementById('form-errors');
  if (summary) { summary.focus(); }
})();
