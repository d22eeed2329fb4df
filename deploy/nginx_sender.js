// nginx njs: the key that pins a conversation to one Rasa replica (`hash $route_key consistent`).
// Same key for every request of one conversation, whatever the channel:
//   ?sender=<id>                    socket.io (the widget adds it to every engine.io request)
//   X-Sender-Id: <id>               the web app's bridges (Telegram, Zalo) and any client
//   /conversations/<id>/...         Rasa's HTTP API
//   {"sender": "<id>", ...}         Rasa's REST webhook, read from the JSON body
//   client address                  anything else (e.g. a third-party socket.io widget)
function key(r) {
    if (r.args.sender) {
        return r.args.sender;
    }
    var header = r.headersIn['X-Sender-Id'];
    if (header) {
        return header;
    }
    var found = r.uri.match(/^\/conversations\/([^\/]+)/);
    if (found) {
        return found[1];
    }
    if (r.method === 'POST') {
        try {
            // the body is in memory: client_body_buffer_size = client_max_body_size
            var body = JSON.parse(r.requestText || '');
            if (body && typeof body.sender === 'string' && body.sender) {
                return body.sender;
            }
        } catch (e) {
            // not JSON: fall through
        }
    }
    return r.remoteAddress;
}

export default {key};
