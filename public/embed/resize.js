/*
 * For a page that embeds demos of "Attention, explained" in iframes: each
 * frame tells this page its content's height, and this script sets the
 * frame to it, so the demo never scrolls inside its frame. Include it once,
 * anywhere in the page:
 *   <script src="https://THE-GUIDE'S-ORIGIN/embed/resize.js" async></script>
 * It only listens to messages from the guide's own origin (the one it was
 * loaded from), only resizes the frame that sent the message, and defines
 * nothing on the page.
 */
(function () {
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : location.origin;
  window.addEventListener('message', function (event) {
    if (event.origin !== origin) return;
    var data = event.data;
    if (!data || data.type !== 'attention-guide:height') return;
    var height = Number(data.height);
    if (!isFinite(height) || height <= 0 || height > 20000) return;
    var frames = document.getElementsByTagName('iframe');
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source) continue;
      // Where the page sizes boxes with their borders, the frame's borders and padding come on top of its content.
      var style = getComputedStyle(frame);
      var extra = 0;
      if (style.boxSizing === 'border-box') {
        extra = ['borderTopWidth', 'borderBottomWidth', 'paddingTop', 'paddingBottom'].reduce(function (sum, name) {
          return sum + (parseFloat(style[name]) || 0);
        }, 0);
      }
      frame.style.height = Math.ceil(height + extra) + 'px';
    }
  });
})();
