// Shows Samverkan inside Nextcloud: AppAPI loads this file into the page of Samverkan's
// top-menu entry (registered through ui/script when the app is enabled) and renders the initial
// state "samverkan_embed" ({"url": the proxied start page}) as a hidden input. The value arrives
// encoded twice: AppAPI keeps it as JSON text (InitialStateMapper::findByAppIdTypeName returns
// the raw column) and hands that string to IInitialState::provideInitialState
// (TopMenuController::viewExAppPage), which json_encodes it again before layout.user.php
// base64-encodes it. So the input holds base64(JSON string of JSON object); a value encoded only
// once is read too. The page fills Nextcloud's #content with a frame on it.
(function () {
  "use strict";
  function show() {
    var content = document.getElementById("content");
    var state = document.getElementById("initial-state-app_api-samverkan_embed");
    if (!content || !state) { return; }
    var value = JSON.parse(atob(state.value));
    if (typeof value === "string") { value = JSON.parse(value); }
    var url = value && value.url;
    if (typeof url !== "string" || !url) { return; }
    // A link into the page (a notification's) names a Samverkan path after the menu entry:
    // /apps/app_api/embedded/{app}/{menu}/{path} (app_api routes.php, TopMenu#viewExAppPage).
    var deep = window.location.pathname.match(/\/apps\/app_api\/embedded\/[^/]+\/[^/]+\/(.+)$/);
    if (deep) {
      var start = new URL(url, window.location.href);
      var target = new URL(deep[1] + window.location.search, start);
      if (target.origin === start.origin && target.pathname.indexOf(start.pathname) === 0) {
        url = target.pathname + target.search;
      }
    }
    var frame = document.createElement("iframe");
    frame.src = url;
    frame.title = "Samverkan";
    frame.id = "samverkan-frame";
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.height = "100%";
    frame.style.minHeight = "calc(100vh - 50px)";
    frame.style.border = "0";
    content.replaceChildren(frame);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
})();
