// tests/faultproxy.js: a TCP proxy between schemafs and the test's
// PostgreSQL, with faults on command (tests/e2e/36_wire_faults.sh).
//
//   node faultproxy.js UPSTREAM_SOCKET PORTFILE
//
// Listens on 127.0.0.1 (ports chosen by the kernel) and forwards each
// connection to the Unix socket UPSTREAM_SOCKET. Once listening, writes
// "DATA_PORT CONTROL_PORT" to PORTFILE. The control port takes one command
// per line and answers one line once the command took effect:
//
//   pass          forward (held bytes are sent on)
//   reset         destroy every connection now
//   stall         stop forwarding both ways, keep the sockets open; a side
//                 that closes while stalled takes its peer with it
//   refuse        close new connections at once
//   reset-on PAT [after PRE] [then MODE]
//   reset-mid PAT [after PRE] [then MODE]
//   reset-after PAT [after PRE] [then MODE]
//   stall-on PAT [after PRE] [then MODE]
//                 one-shot: when a client->server chunk holding the bytes
//                 PAT passes (on a connection that sent PRE since the
//                 trigger was set, when given): reset-on drops it and
//                 resets; reset-mid sends the bytes before PAT (half a
//                 message) and resets; reset-after sends it and resets when
//                 the server's reply comes (dropped: the server acted, the
//                 client never hears); stall-on stalls before it. Then the
//                 mode becomes MODE (pass, refuse) when given.
//   state         answers "fired N mode M armed 0|1"
//
// The test kills it in its EXIT path; it also exits within a second of its
// parent.
'use strict';
const net = require('net');
const fs = require('fs');

const [upstream, portfile] = process.argv.slice(2);
let mode = 'pass';
let trigger = null;
let fired = 0;
const pairs = new Set();

function destroy(p) {
	p.c.destroy();
	p.s.destroy();
	pairs.delete(p);
}

function resetAll() {
	for (const p of [...pairs])
		destroy(p);
}

function send(p, dir, data) {
	if (mode === 'stall') {
		p.held.push([dir, data]);
		return;
	}
	(dir === 's' ? p.s : p.c).write(data);
}

function flushHeld() {
	for (const p of pairs) {
		const held = p.held;
		p.held = [];
		for (const [dir, data] of held)
			(dir === 's' ? p.s : p.c).write(data);
	}
}

function fire(t, p, data, at) {
	trigger = null;
	fired++;
	if (t.action === 'reset-on') {
		resetAll();
	} else if (t.action === 'reset-mid') {
		if (at > 0)
			p.s.write(data.subarray(0, at), () => resetAll());
		else
			resetAll();
	} else if (t.action === 'reset-after') {
		p.resetOnReply = true;
		p.s.write(data);
	} else if (t.action === 'stall-on') {
		mode = 'stall';
		send(p, 's', data);
	}
	if (t.then)
		mode = t.then;
}

function onClient(c) {
	if (mode === 'refuse') {
		c.destroy();
		return;
	}
	const s = net.connect({ path: upstream });
	const p = { c, s, held: [], after: false, tail: Buffer.alloc(0), resetOnReply: false };
	pairs.add(p);
	c.on('data', (data) => {
		const t = trigger;
		if (t) {
			// Bytes of the previous chunk too: a message split in two.
			const hay = Buffer.concat([p.tail, data]);
			p.tail = data.subarray(Math.max(0, data.length - 256));
			const at = hay.indexOf(t.pat);
			if ((!t.after || p.after) && at >= 0) {
				fire(t, p, data, Math.max(0, at - (hay.length - data.length)));
				return;
			}
			if (t.after && hay.includes(t.after))
				p.after = true;
		}
		send(p, 's', data);
	});
	s.on('data', (data) => {
		if (p.resetOnReply) {
			resetAll();
			return;
		}
		send(p, 'c', data);
	});
	for (const sock of [c, s]) {
		sock.on('error', () => destroy(p));
		sock.on('close', () => destroy(p));
	}
}

function command(line) {
	const w = line.trim().split(/\s+/);
	const cmd = w[0];
	if (cmd === 'pass') {
		mode = 'pass';
		flushHeld();
	} else if (cmd === 'reset') {
		resetAll();
	} else if (cmd === 'stall' || cmd === 'refuse') {
		mode = cmd;
	} else if (['reset-on', 'reset-mid', 'reset-after', 'stall-on'].includes(cmd) && w[1]) {
		const t = { action: cmd, pat: Buffer.from(w[1]), after: null, then: null };
		for (let i = 2; i + 1 < w.length; i += 2) {
			if (w[i] === 'after')
				t.after = Buffer.from(w[i + 1]);
			else if (w[i] === 'then')
				t.then = w[i + 1];
		}
		for (const p of pairs)
			p.after = false;
		trigger = t;
	} else if (cmd === 'state') {
		return `fired ${fired} mode ${mode} armed ${trigger ? 1 : 0}`;
	} else {
		return `error: unknown command ${line}`;
	}
	return 'ok';
}

const data = net.createServer(onClient);
const control = net.createServer((sock) => {
	let buf = '';
	sock.on('data', (d) => {
		buf += d.toString();
		let nl;
		while ((nl = buf.indexOf('\n')) >= 0) {
			const line = buf.slice(0, nl);
			buf = buf.slice(nl + 1);
			sock.write(command(line) + '\n');
		}
	});
	sock.on('error', () => {});
});
data.listen(0, '127.0.0.1', () => {
	control.listen(0, '127.0.0.1', () => {
		fs.writeFileSync(portfile + '.tmp', `${data.address().port} ${control.address().port}\n`);
		fs.renameSync(portfile + '.tmp', portfile);
	});
});
// Also gone when the test's shell is, whatever killed it.
const parent = process.ppid;
setInterval(() => {
	try {
		process.kill(parent, 0);
	} catch (e) {
		process.exit(0);
	}
}, 1000).unref();
