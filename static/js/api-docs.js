// Draws the API reference from the schema with the vendored Swagger UI (loaded before this).
const root = document.getElementById("swagger-ui");
if (root && window.SwaggerUIBundle) {
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    deepLinking: true,
    // Nothing leaves the clinic's server: no call to the public validator.
    validatorUrl: null,
    persistAuthorization: false,
  });
}
