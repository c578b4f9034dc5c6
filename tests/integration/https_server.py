#!/usr/bin/env python3
"""A real HTTPS file server on 127.0.0.1 for tests/integration/packs_cli.sh.

Usage: https_server.py DIR CERT KEY PORTFILE
Serves DIR (404 for missing files), answers /redirect/PATH with a 302 to /PATH and /slow/PATH
after 30 s. Writes the port it bound to PORTFILE once it listens.
"""
import http.server
import os
import ssl
import sys
import time

root, cert, key, portfile = sys.argv[1:5]
os.chdir(root)


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/redirect/"):
            self.send_response(302)
            self.send_header("Location", self.path[len("/redirect"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/slow/"):
            time.sleep(30)
        super().do_GET()

    def log_message(self, *args):
        pass


httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(httpd.server_address[1]))
os.rename(portfile + ".tmp", portfile)
httpd.serve_forever()
