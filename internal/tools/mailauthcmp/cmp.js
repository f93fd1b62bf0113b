// Reference side of the mailauth comparison (see main.go). Reads a JSON
// list of cases on stdin; for each, builds the message (mailauth signs and
// seals where the case asks), writes it to case.out, runs mailauth's
// authenticate() against the loopback DNS server, and prints one JSON
// result per line. Needs the mailauth npm package on NODE_PATH, installed
// outside this repository.
'use strict';
const fs = require('node:fs');
const dns = require('node:dns');
const { authenticate, dkimSign, sealMessage } = require('mailauth');

const server = process.argv[2];
const r = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
r.setServers([server]);
const resolver = (name, rr) => r.resolve(name, rr);

async function build(c) {
    let msg = Buffer.from(fs.readFileSync(c.in));
    for (const step of c.steps || []) {
        const key = step.key ? fs.readFileSync(step.key) : undefined;
        switch (step.op) {
            case 'sign': {
                const res = await dkimSign(msg, {
                    signTime: new Date(step.time * 1000),
                    expires: step.expires ? new Date(step.expires * 1000) : undefined,
                    canonicalization: step.canon || 'relaxed/relaxed',
                    headerList: step.headers,
                    signatureData: [Object.assign({ signingDomain: step.domain, selector: step.selector, privateKey: key, algorithm: step.algo },
                        typeof step.maxlen === 'number' && step.maxlen >= 0 ? { maxBodyLength: step.maxlen } : {})]
                });
                if (res.errors && res.errors.length) throw new Error(JSON.stringify(res.errors));
                msg = Buffer.concat([Buffer.from(res.signatures), msg]);
                break;
            }
            case 'seal': {
                const hdr = await sealMessage(msg, {
                    signingDomain: step.domain, selector: step.selector, privateKey: key,
                    authResults: step.results, cv: step.cv, signTime: new Date(step.time * 1000)
                });
                msg = Buffer.concat([hdr, msg]);
                break;
            }
            case 'prepend':
                msg = Buffer.concat([Buffer.from(step.text), msg]);
                break;
            case 'replace':
                msg = Buffer.from(msg.toString('binary').replace(step.from, step.to), 'binary');
                break;
            case 'replace_all':
                msg = Buffer.from(msg.toString('binary').split(step.from).join(step.to), 'binary');
                break;
            case 'append':
                msg = Buffer.concat([msg, Buffer.from(step.text)]);
                break;
            case 'headers_only': {
                const s = msg.toString('binary');
                const i = s.indexOf('\r\n\r\n');
                msg = Buffer.from(s.slice(0, i + 2), 'binary');
                break;
            }
        }
    }
    fs.writeFileSync(c.out, msg);
    return msg;
}

async function main() {
    const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
    for (const c of cases) {
        const msg = await build(c);
        const res = await authenticate(msg, { ip: c.ip, helo: c.helo, sender: c.sender, mta: 'mx.receiver.example', resolver, disableBimi: true });
        // The message as mailauth's receiver would deliver it: its
        // Authentication-Results (and Received-SPF) on top.
        fs.writeFileSync(c.out + '.ar', Buffer.concat([Buffer.from(res.headers), msg]));
        const out = {
            name: c.name,
            spf: res.spf && res.spf.status ? res.spf.status.result : '',
            dkim: ((res.dkim && res.dkim.results) || []).map(s => ({
                domain: s.signingDomain || '', selector: s.selector || '', result: s.status.result, comment: s.status.comment || ''
            })),
            dmarc: res.dmarc && res.dmarc.status ? res.dmarc.status.result : '',
            arc: res.arc && res.arc.status ? res.arc.status.result : '',
            arc_comment: res.arc && res.arc.status ? res.arc.status.comment || '' : ''
        };
        process.stdout.write(JSON.stringify(out) + '\n');
    }
}

main().catch(err => { console.error(err); process.exit(1); });
