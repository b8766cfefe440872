// Idea boards: let htmx swap in form fragments that come back with 400/422, so inline
// form errors show without a reload. Every form also works as a plain POST without this file.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 400 || status === 422) {
    var type = event.detail.xhr.getResponseHeader("content-type") || "";
    if (type.indexOf("text/html") === 0 && event.detail.requestConfig && event.detail.requestConfig.headers["HX-Target"]) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  }
});
