// Chapter buttons of the media player (templates/blocks/media_player.html): a click seeks the
// player of the same figure to the chapter's start and plays. Safe to load more than once.
(function () {
  if (window.mediaLibraryChapters) return;
  window.mediaLibraryChapters = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".media-player [data-seek]");
    if (!button) return;
    var player = button.closest(".media-player").querySelector("video, audio");
    if (!player) return;
    player.currentTime = parseFloat(button.dataset.seek);
    player.play();
  });
})();
