// Starts Swagger UI (vendored, static/vendor/swagger-ui-dist-*) on /schema: the page names the
// OpenAPI document and the path prefix (empty standalone, AppAPI's proxy path inside Nextcloud)
// in data attributes, since the CSP allows no inline script.
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  var root = element.getAttribute("data-root") || "";
  window.SwaggerUIBundle({
    url: element.getAttribute("data-url"),
    domNode: element,
    deepLinking: true,
    // "Try it out" calls the API under the same prefix as this page.
    requestInterceptor: function (request) {
      var url = new URL(request.url, window.location.href);
      if (root && url.origin === window.location.origin && url.pathname.indexOf(root + "/") !== 0) {
        url.pathname = root + url.pathname;
        request.url = url.toString();
      }
      return request;
    },
  });
})();
