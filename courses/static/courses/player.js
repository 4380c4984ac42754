// The study player of a lesson page (templates/courses/lesson_page.html). It resumes where the
// learner stopped and reports to the server what was really played, as ranges of media time.
//
// A range grows while the player advances by small steps; a seek (or any other jump) closes it
// and opens a new one where playing goes on, so seeking to the end claims nothing in between.
// The server merges the ranges (media_library/watching.py), refuses a claim larger than the time
// that has passed, and answers with the merged progress, which this script shows.
//
// Heartbeats go every data-interval milliseconds while playing and at pause and end, as JSON with
// the CSRF token in a header. When the page is hidden or left they go with navigator.sendBeacon,
// which cannot send headers, so it posts a form carrying the token and the same JSON. No libraries.
(function () {
  "use strict";

  var root = document.querySelector("[data-study-player]");
  if (!root || !window.fetch) return;
  var mediaId = root.getAttribute("data-media-id");
  var player = root.querySelector(
    'video[data-media-id="' + mediaId + '"], audio[data-media-id="' + mediaId + '"]'
  );
  if (!player) return;

  var url = root.getAttribute("data-heartbeat-url");
  var token = root.getAttribute("data-csrf-token");
  var interval = parseInt(root.getAttribute("data-interval"), 10) || 5000;
  var resumeAt = parseFloat(root.getAttribute("data-resume-at")) || 0;
  var texts = {
    watched: root.getAttribute("data-text-watched"),
    progress: root.getAttribute("data-text-progress"),
    resumed: root.getAttribute("data-text-resumed"),
    failed: root.getAttribute("data-text-failed"),
  };
  // The largest advance between two timeupdate events (about 4 a second, fewer in a background
  // tab) that still counts as continuous play, in seconds of media time at normal speed.
  var MAX_STEP = 4;

  var pending = []; // closed ranges not reported yet: [[start, end], ...]
  var start = null; // where the range being played began
  var last = null; // how far it has got
  var lastSentPosition = resumeAt;
  var inFlight = false;
  var stopped = false; // the server refused for good: logged out, or the lesson is gone

  function round(seconds) {
    return Math.round(seconds * 100) / 100;
  }

  function closeRange() {
    if (start !== null && last > start) pending.push([round(start), round(last)]);
    start = null;
    last = null;
  }

  function advance(now) {
    if (start === null) {
      start = now;
      last = now;
      return;
    }
    var step = now - last;
    if (step >= 0 && step <= MAX_STEP * Math.max(player.playbackRate || 1, 1)) {
      last = now;
    } else {
      closeRange();
      start = now;
      last = now;
    }
  }

  // Report what has been played so far, keeping the range open when playing goes on.
  function cut() {
    if (!player.paused && !player.seeking && start !== null) {
      advance(player.currentTime);
      var at = last;
      closeRange();
      start = at;
      last = at;
    } else if (player.paused) {
      closeRange();
    }
  }

  function note(text) {
    var element = document.querySelector("[data-study-note]");
    if (!element || !text) return;
    element.textContent = text;
    element.hidden = false;
  }

  function show(data) {
    var bar = document.querySelector("[data-watched-bar]");
    if (bar) bar.value = data.watched_percent;
    var status = document.querySelector("[data-study-status]");
    if (status) {
      status.textContent = data.watched
        ? texts.watched
        : texts.progress + " " + data.watched_percent + "%";
    }
    var box = document.querySelector("[data-lesson-progress]");
    if (box) box.classList.toggle("is-done", data.watched);
    var course = document.querySelector("[data-course-percent]");
    if (course) course.textContent = data.course_percent;
    var line = document.querySelector("[data-course-line]");
    if (line) line.hidden = false;
  }

  function send(beacon) {
    if (stopped) return;
    var position = round(player.currentTime || 0);
    if (!pending.length && position === lastSentPosition) return;
    var ranges = pending;
    pending = [];
    var body = JSON.stringify({ ranges: ranges, position: position });
    lastSentPosition = position;
    if (beacon && navigator.sendBeacon) {
      var form = new URLSearchParams();
      form.append("csrfmiddlewaretoken", token);
      form.append("payload", body);
      if (navigator.sendBeacon(url, form)) return;
    }
    if (inFlight) {
      pending = ranges.concat(pending);
      lastSentPosition = null;
      return;
    }
    inFlight = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: beacon,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: body,
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
        inFlight = false;
        if (result.status === 200) {
          show(result.data);
        } else if (result.status === 400) {
          // Refused as a whole (e.g. more than could have been played): those ranges are gone.
          note(result.data.error);
        } else {
          stopped = true;
          note(result.data.error || texts.failed);
        }
      })
      .catch(function () {
        // Offline for a moment: keep the ranges for the next heartbeat.
        inFlight = false;
        pending = ranges.concat(pending);
        lastSentPosition = null;
      });
  }

  function resume() {
    if (resumeAt > 1 && isFinite(player.duration) && resumeAt < player.duration - 3) {
      player.currentTime = resumeAt;
      note(texts.resumed);
    }
  }

  player.addEventListener("playing", function () {
    if (start === null) advance(player.currentTime);
  });
  player.addEventListener("timeupdate", function () {
    if (!player.paused && !player.seeking) advance(player.currentTime);
  });
  player.addEventListener("seeking", closeRange);
  player.addEventListener("seeked", function () {
    if (!player.paused) advance(player.currentTime);
  });
  player.addEventListener("pause", function () {
    if (start !== null) advance(player.currentTime);
    closeRange();
    send(false);
  });
  player.addEventListener("ended", function () {
    closeRange();
    send(false);
  });

  window.setInterval(function () {
    cut();
    if (pending.length) send(false);
  }, interval);

  function leave() {
    cut();
    send(true);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leave();
  });
  window.addEventListener("pagehide", leave);

  if (player.readyState >= 1) {
    resume();
  } else {
    player.addEventListener("loadedmetadata", resume, { once: true });
  }
})();
