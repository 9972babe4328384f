// Starts Swagger UI on /api/docs/ from our own static files: a file, not an inline script,
// so the site's Content-Security-Policy (script-src 'self', no eval) holds.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-schema-url"),
    domNode: node,
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    supportedSubmitMethods: ["get"],
  });
})();
