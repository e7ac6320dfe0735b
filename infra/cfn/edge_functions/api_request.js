// Viewer request, the API paths: tell the API which host, address and scheme the viewer used. CloudFront
// sends API Gateway's own host name as Host, and API Gateway sees CloudFront's address; the API trusts these
// headers only beside the edge key CloudFront adds as an origin header (chalicelib/web/edge.py).
// The WebSocket paths go to the WebSocket API, which answers on its stage's path only.
var WEBSOCKET_PATHS = __WEBSOCKET_PATHS__;

function handler(event) {
    var request = event.request;
    var host = request.headers.host ? request.headers.host.value : '';
    request.headers['x-patchmon-viewer-host'] = { value: host };
    request.headers['x-patchmon-viewer-ip'] = { value: event.viewer.ip };
    request.headers['x-patchmon-viewer-proto'] = { value: 'https' };
    if (WEBSOCKET_PATHS.indexOf(request.uri) !== -1) {
        request.uri = '/__STAGE__';
    }
    return request;
}
