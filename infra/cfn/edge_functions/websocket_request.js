// Viewer request, WebSocket paths (/api/v1/agents/ws, /api/v1/ws): as for the REST API, plus the path
// rewrite: a WebSocket API answers on its stage's path only.
function handler(event) {
    var request = event.request;
    var host = request.headers.host ? request.headers.host.value : '';
    request.headers['x-patchmon-viewer-host'] = { value: host };
    request.headers['x-patchmon-viewer-ip'] = { value: event.viewer.ip };
    request.headers['x-patchmon-viewer-proto'] = { value: 'https' };
    request.uri = '/__STAGE__';
    return request;
}
