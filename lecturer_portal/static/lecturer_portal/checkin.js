// The lecturer's screen: fetch a fresh check-in QR code when the current one's 30 s are up.
(function () {
  "use strict";
  function schedule(box) {
    var left = parseInt(box.dataset.secondsLeft || "30", 10);
    window.setTimeout(function () { refresh(box.dataset.refreshUrl); }, Math.max(left, 1) * 1000 + 300);
  }
  function refresh(url) {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
      .then(function (html) {
        var old = document.getElementById("qr");
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#qr");
        old.replaceWith(fresh);
        schedule(fresh);
      })
      .catch(function () { window.setTimeout(function () { refresh(url); }, 5000); });
  }
  var box = document.getElementById("qr");
  if (box) { schedule(box); }
})();
