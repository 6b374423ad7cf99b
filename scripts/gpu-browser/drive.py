"""The islands' input latency in headless Chromium on a machine with Python and no Node.

Serves dist/ on 127.0.0.1 with page.mjs added to each chapter, starts the
headless shell once per run, and takes the figures page.mjs posts back. First
it finds Chromium flags under which WebGPU gets a hardware adapter (a GPU with
no display refuses some of Chromium's defaults); then it times the generation
step and the head gallery's text, each with the backend the engine picks and
with the CPU forced (?compute=cpu), --rounds times, in turn, after timing
WebGPU round trips, bare and with a number of dispatches (the floor under
every WebGPU figure, and what each dispatch adds). p50/p95 by the
nearest rank, as scripts/percentile.mjs. It writes results.json and logs.tar.gz (one
log per browser) to --out. Started by run.sh; alone:

  python3 scripts/gpu-browser/drive.py --chrome PATH [--out DIR] [--flags NAME] [--rounds N]
      [--interactions N] [--islands step,gallery] [--round-trips N]
"""
import argparse
import http.server
import json
import math
import os
import shutil
import signal
import socketserver
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PORT = 4350
PROFILE = '/tmp/gpu-browser-profile'
LOGS = '/tmp/gpu-browser-logs'
BASE_FLAGS = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update',
              '--disable-sync', '--disable-quic', '--disable-dev-shm-usage', '--enable-unsafe-webgpu',
              '--ignore-gpu-blocklist', '--window-size=1280,900', '--enable-logging=stderr', f'--user-data-dir={PROFILE}']
# Tried in order until WebGPU offers an adapter that is not a software fallback (--flags picks one). On an H200 with no display
# (driver 580.159.04) only 'angle-vulkan' did: the others gave SwiftShader.
FLAG_SETS = {
    'angle-vulkan': ['--use-angle=vulkan', '--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan', '--disable-vulkan-surface'],
    'defaults': [],
    'angle-swiftshader': ['--use-angle=swiftshader'],
    'angle-vulkan-no-skia': ['--use-angle=vulkan', '--disable-vulkan-surface'],
    'gl-egl': ['--use-angle=gl-egl'],
}
ISLANDS = {'step': '/chapters/self-and-cross-attention/', 'gallery': '/chapters/multi-head-attention/'}
TARGETS = {'step': 16, 'gallery': 50}


class Bench:
    def __init__(self, args):
        self.args = args
        self.config = {}
        self.result = None
        self.done = threading.Event()
        self.started = time.time()
        shutil.rmtree(LOGS, ignore_errors=True)
        os.makedirs(LOGS)
        os.makedirs(args.out, exist_ok=True)

    def say(self, *words):
        print(f'[{time.time() - self.started:6.1f} s]', *words, flush=True)

    def run(self, label, path, flags, timeout, island=None, round_trips=0):
        """One page in a fresh browser; what page.mjs posts, or why nothing came."""
        self.config = {'label': label, 'island': island, 'interactions': self.args.interactions, 'roundTrips': round_trips}
        self.result = None
        self.done.clear()
        shutil.rmtree(PROFILE, ignore_errors=True)
        with open(os.path.join(LOGS, f'{label}.log'), 'w') as log:
            browser = subprocess.Popen([self.args.chrome, *BASE_FLAGS, *flags, f'http://127.0.0.1:{PORT}{path}'],
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            answered = self.done.wait(timeout)
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait()
        return self.result if answered else {'label': label, 'error': f'no answer in {timeout} s'}


def serve(bench, dist):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=dist, **kwargs)

        def log_message(self, *args):
            pass

        def guess_type(self, path):
            return 'text/javascript' if str(path).endswith(('.js', '.mjs')) else super().guess_type(path)

        def send(self, body, kind):
            self.send_response(200)
            self.send_header('content-type', kind)
            self.send_header('content-length', str(len(body)))
            self.send_header('cache-control', 'no-store')
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get('content-length', 0)))
            if self.path == '/__bench/result':
                bench.result = json.loads(body)
                bench.done.set()
            self.send_response(204)
            self.end_headers()

        def do_GET(self):
            path = self.path.split('?')[0]
            if path == '/__bench/config':
                return self.send(json.dumps(bench.config).encode(), 'application/json')
            if path in ('/__bench/page.mjs', '/__bench/island-probe.mjs'):
                source = os.path.join(HERE, 'page.mjs') if path.endswith('page.mjs') else os.path.join(ROOT, 'scripts', 'island-probe.mjs')
                return self.send(open(source, 'rb').read(), 'text/javascript')
            if path == '/__bench/':
                return self.send(b'<!doctype html><title>adapter</title><script type="module" src="/__bench/page.mjs"></script>', 'text/html')
            page = os.path.join(dist, path.lstrip('/'), 'index.html')
            if path.endswith('/') and os.path.exists(page):
                html = open(page, encoding='utf8').read().replace('</body>', '<script type="module" src="/__bench/page.mjs"></script></body>', 1)
                return self.send(html.encode(), 'text/html; charset=utf-8')
            return super().do_GET()

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(('127.0.0.1', PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def percentile(xs, p):
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float('nan')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--chrome', required=True)
    parser.add_argument('--dist', default=os.path.join(ROOT, 'dist'))
    parser.add_argument('--out', default='gpu-browser-out')
    parser.add_argument('--flags', choices=FLAG_SETS, help='skip the search and use this flag set')
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--interactions', type=int, default=100)
    parser.add_argument('--islands', default='step,gallery', help='which to time, comma-separated: step, gallery')
    parser.add_argument('--round-trips', type=int, default=100, help='WebGPU round trips to time first, bare and with 1, 16 and 64 dispatches (0: none)')
    args = parser.parse_args()
    bench = Bench(args)
    server = serve(bench, args.dist)
    report = {'adapters': [], 'runs': []}
    # With --flags, that set is timed whatever adapter it gives (a software one is said, not refused).
    chosen = None
    for name in [args.flags] if args.flags else FLAG_SETS:
        found = bench.run(f'adapter-{name}', '/__bench/', FLAG_SETS[name], 30)
        report['adapters'].append({'flags': name, **found})
        adapter = (found.get('webgpu') or {}).get('adapter')
        hardware = bool(adapter) and not adapter.get('fallback') and 'swiftshader' not in json.dumps(adapter).lower()
        bench.say(f'flags {name}: adapter {json.dumps(adapter) if adapter else found.get("error") or found.get("webgpu")}'
                  f'{"" if hardware else " (not a hardware adapter)"}')
        if hardware or args.flags:
            chosen = name
            break
    if not chosen:
        bench.say('no flag set gave WebGPU a hardware adapter: nothing timed (the logs say why)')
    else:
        if args.round_trips:
            r = bench.run('round-trips', '/__bench/', FLAG_SETS[chosen], 120, round_trips=args.round_trips)
            report['roundTrips'] = r
            if 'roundTrips' not in r:
                bench.say(f'round trips failed: {r.get("error")}')
            for dispatches, times in r.get('roundTrips', {}).items():
                what = {'0': 'bare (256 bytes written, copied, read back)', 'uploads': 'bare, after 30 writes of 6.5 kB (196 kB, as the decoder\'s weights)'}.get(
                    dispatches, f'with {dispatches} dispatch{"" if dispatches == "1" else "es"}')
                bench.say(f'WebGPU round trips, {what}, ms over {len(times)}: p50 {percentile(times, 50):.2f} p95 {percentile(times, 95):.2f}')
        bench.say(f'p50 / p95 / max in ms over {args.interactions} interactions, input to figure laid out; frame: to the next animation frame')
        for round in range(args.rounds):
            for island, path in [(name, ISLANDS[name]) for name in args.islands.split(',')]:
                for cpu in (False, True):
                    label = f'{island}-{"cpu" if cpu else "auto"}-{round + 1}'
                    r = bench.run(label, path + ('?compute=cpu' if cpu else ''), FLAG_SETS[chosen], 180, island)
                    report['runs'].append({'flags': chosen, **r})
                    if 'dom' not in r:
                        bench.say(f'{label:16} failed: {r.get("error")}')
                        continue
                    dom, frame = r['dom'], r['frame']
                    over = '' if percentile(dom, 95) < TARGETS[island] else f'  (p95 over {TARGETS[island]} ms)'
                    bench.say(f'{label:16} {r["backend"]:7} {percentile(dom, 50):6.1f} {percentile(dom, 95):6.1f} {max(dom):6.1f}'
                              f'   frame {percentile(frame, 50):6.1f} {percentile(frame, 95):6.1f}   n={len(dom)}{over}')
    with open(os.path.join(args.out, 'results.json'), 'w') as out:
        json.dump(report, out, indent=1)
    # One file for the browser's logs: a GPU machine's tool may bring back only a few files.
    subprocess.run(['tar', '-C', os.path.dirname(LOGS), '-czf', os.path.join(args.out, 'logs.tar.gz'), os.path.basename(LOGS)], check=True)
    server.shutdown()


main()
