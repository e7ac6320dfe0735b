// Viewer request, /api/v1/*: tell the API which host and address the viewer used. CloudFront sends API
// Gateway's own host name as Host, and API Gateway sees CloudFront's address; the API trusts these two
// headers only beside the edge key CloudFront adds as an origin header (chalicelib/web/edge.py).
function handler(event) {
    var request = event.request;
    var host = request.headers.host ? request.headers.host.value : '';
    request.headers['x-patchmon-viewer-host'] = { value: host };
    request.headers['x-patchmon-viewer-ip'] = { value: event.viewer.ip };
    request.headers['x-patchmon-viewer-proto'] = { value: 'https' };
    return request;
}
