// Taking a quiz (templates/quizzes/attempt_question.html, attempt_overview.html).
//
// The pages work without this script: each question is a form, and moving on saves the answer.
// With it, every answer is saved the moment it is given (a choice ticked, text typed), as JSON to
// the attempt's answer endpoint, so a reload, a lost network or another device finds it kept. A
// save that fails for the network is retried; a 409 means the attempt is closed (submitted, or
// time is up), and the page goes to the result.
//
// The countdown starts from the seconds the server said remain (not the phone's clock); at zero
// it submits the attempt. The server enforces the deadline whatever this script does.
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clock(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
  }

  var form = document.querySelector("[data-quiz-answer-form]");
  var pending = null; // the promise of the save in flight, if any

  // Countdown ----------------------------------------------------------------------------------
  var timer = document.querySelector("[data-quiz-timer]");
  if (timer) {
    var out = timer.querySelector("[data-clock]");
    var remaining = parseInt(timer.getAttribute("data-remaining"), 10) || 0;
    var ends = Date.now() + remaining * 1000;
    var autoSubmit = document.getElementById(timer.getAttribute("data-submit-form"));
    var done = false;
    var tick = function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      out.textContent = clock(left);
      timer.classList.toggle("is-ending", left <= 60);
      if (left <= 0 && !done && autoSubmit) {
        done = true;
        Promise.resolve(pending).then(function () {
          autoSubmit.submit();
        });
      }
    };
    tick();
    window.setInterval(tick, 1000);
  }

  // Confirm before submitting ------------------------------------------------------------------
  var confirmForm = document.querySelector("form[data-confirm]");
  if (confirmForm) {
    confirmForm.addEventListener("submit", function (event) {
      if (!window.confirm(confirmForm.getAttribute("data-confirm"))) event.preventDefault();
    });
  }

  // Saving answers ------------------------------------------------------------------------------
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-answer-url");
  var position = parseInt(form.getAttribute("data-position"), 10);
  var kind = form.getAttribute("data-kind");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = form.querySelector("[data-save-status]");
  var texts = {
    saving: form.getAttribute("data-text-saving"),
    saved: form.getAttribute("data-text-saved"),
    offline: form.getAttribute("data-text-offline"),
    failed: form.getAttribute("data-text-failed"),
  };
  var again = false; // the answer changed while a save was in flight
  var retry = null;
  var typing = null;

  function show(text) {
    if (status) status.textContent = text || "";
  }

  function value() {
    var inputs = form.querySelectorAll("input[name=response]");
    if (kind === "fill_blank") return inputs[0].value;
    var checked = [];
    inputs.forEach(function (input) {
      if (input.checked) checked.push(input.value);
    });
    if (kind === "multiple") return checked;
    return checked.length ? checked[0] : null;
  }

  function markNumber(answered) {
    var button = form.querySelector('.quiz-number[data-number="' + (position + 1) + '"]');
    if (button) button.classList.toggle("is-answered", answered);
  }

  function save() {
    if (pending) {
      again = true;
      return pending;
    }
    window.clearTimeout(retry);
    show(texts.saving);
    pending = fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ position: position, response: value() }),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            return { status: response.status, data: data };
          });
      })
      .then(function (result) {
        pending = null;
        if (result.status === 200) {
          show(texts.saved);
          markNumber(result.data.answered);
        } else if (result.status === 409 && result.data.result_url) {
          window.location.assign(result.data.result_url);
          return;
        } else {
          show(result.data.error || texts.failed);
        }
        if (again) {
          again = false;
          return save();
        }
      })
      .catch(function () {
        // Offline for a moment: keep trying; the answer on the page is what will be sent.
        pending = null;
        show(texts.offline);
        retry = window.setTimeout(save, 3000);
      });
    return pending;
  }

  form.addEventListener("change", save);
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text") return;
    window.clearTimeout(typing);
    typing = window.setTimeout(save, 600);
  });
})();
