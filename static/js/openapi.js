// Starts Swagger UI on /schema. Kept out of the page so the CSP can forbid inline scripts.
(function () {
  var node = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: node.dataset.specUrl, domNode: node, deepLinking: true });
})();
