// Viewer request, the web app: a path without a file extension is a client-side route, served index.html.
function handler(event) {
    var request = event.request;
    var last = request.uri.split('/').pop();
    if (last.indexOf('.') === -1) {
        request.uri = '/index.html';
    }
    return request;
}
