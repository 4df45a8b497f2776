// The candidate's countdown (the server keeps the real deadline): at zero the answers are submitted as they are.
(function () {
  var timer = document.getElementById("timer");
  if (!timer) return;
  var end = Date.now() + parseInt(timer.dataset.remaining, 10) * 1000;
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    timer.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    if (left <= 0) { var f = document.getElementById("submit-form"); f.dataset.auto = "1"; f.submit(); return; }
    setTimeout(tick, 1000);
  }
  tick();
})();
