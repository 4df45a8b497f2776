// Evidence on a phone: when and where it was captured (the file's time, the phone's position) go with the upload.
(function () {
  var form = document.getElementById("evidence-form");
  if (!form) return;
  form.querySelector("[name=captured_at]").value = new Date().toISOString();
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (p) {
    form.querySelector("[name=latitude]").value = p.coords.latitude.toFixed(6);
    form.querySelector("[name=longitude]").value = p.coords.longitude.toFixed(6);
    form.querySelector("[name=accuracy_m]").value = Math.round(p.coords.accuracy);
    document.getElementById("geo-status").textContent += " ✓ " + p.coords.latitude.toFixed(5) + ", " + p.coords.longitude.toFixed(5);
  }, function () {}, {enableHighAccuracy: true, timeout: 8000});
  form.querySelector("[name=file]").addEventListener("change", function (e) {
    var f = e.target.files[0];
    if (f && f.lastModified) form.querySelector("[name=captured_at]").value = new Date(f.lastModified).toISOString();
  });
})();
