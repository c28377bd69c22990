#!/usr/bin/python3
"""windows.t - the netsh and PowerShell readers hold what Windows does,
and egressc's scripts meet it: rules Windows holds of its own beside the
script's, block beats allow ([MS-FASP] 2.2.34), a firewall that may be
off, cmd.exe's 8191-character lines and for /L (Microsoft Learn: Command
prompt (Cmd.exe) command-line string limitation; for), and the
prerequisites of AutoResolve dynamic keywords (Microsoft Learn: Windows
Firewall dynamic keywords)."""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
sys.path.insert(0, HERE)
import tap  # noqa: E402
from tap import ok  # noqa: E402
import netsh  # noqa: E402
import powershell  # noqa: E402
import readers  # noqa: E402

EG = os.environ.get('EGRESSC') or os.path.join(ROOT, 'egressc')
READ = {'netsh': netsh.NetshReader, 'powershell': powershell.PsReader}
TMP = tempfile.mkdtemp(prefix='egressc-windows-')
atexit.register(shutil.rmtree, TMP, True)


def compile_to(text, target, extra=()):
    path = os.path.join(TMP, 'p.yaml')
    with open(path, 'w') as f:
        f.write(text)
    return subprocess.run([EG, 'compile', '-t', target] + list(extra) +
                          [path], capture_output=True, text=True)


def refuses(fn, name):
    try:
        fn()
    except readers.ReaderError as e:
        return ok(True, name + ' (%s)' % str(e)[:60])
    return ok(False, name, 'accepted')


# -- the readers, on hand-written scripts --
RULE = ('netsh advfirewall firewall add rule name="x" dir=out action=allow '
        'protocol=TCP remoteip=192.0.2.1 remoteport=443\n')
off = netsh.NetshReader(
    'netsh advfirewall set allprofiles firewallpolicy '
    'blockinbound,blockoutbound\n' + RULE)
ok(off.decide(4, '198.51.100.1', 'udp', 9) == 'allow',
   'reader: a firewall never turned on filters nothing')
on = netsh.NetshReader(
    'netsh advfirewall set allprofiles firewallpolicy '
    'blockinbound,blockoutbound\n' + RULE +
    'netsh advfirewall set allprofiles state on\n')
ok(on.decide(4, '192.0.2.1', 'tcp', 443) == 'allow' and
   on.decide(4, '192.0.2.1', 'tcp', 444) == 'allow' and
   on.decide(4, '198.51.100.1', 'udp', 53) == 'allow' and
   on.decide(6, '2001:db8::1', 'icmpv6', 135) == 'allow',
   "reader: with outbound Block, Windows' own allow rules still let out "
   "TCP, DNS and neighbour discovery")
ok(netsh.NetshReader(
    'netsh advfirewall set allprofiles state on\n' + RULE.replace(
        'action=allow', 'action=block')).decide(
            4, '192.0.2.1', 'tcp', 443) == 'deny',
   "reader: a block rule beats Windows' own allow rules")
ok(netsh.NetshReader('netsh advfirewall set allprofiles state on\n' +
                     RULE).decide(4, '198.51.100.1', 'udp', 53) ==
   'no decision', 'reader: no default set, none of the script\'s rules '
   'matching: Windows\' own decision')
refuses(lambda: netsh.NetshReader('REM ' + 'x' * 8200 + '\n'),
        'reader: a cmd line over 8191 characters')
loop = netsh.NetshReader(
    'netsh advfirewall set allprofiles state on\n'
    'for /L %%t in (3,1,5) do netsh advfirewall firewall add rule name="x" '
    'dir=out action=block protocol=icmpv4:%%t,any\n')
ok(loop.rule_count() == 3 and loop.decide(4, '1.1.1.1', 'icmp', 4) ==
   'deny' and loop.decide(4, '1.1.1.1', 'icmp', 6) != 'deny',
   'reader: for /L runs the command for each number, %%t replaced')
refuses(lambda: netsh.NetshReader('REM 100% sure\n'),
        "reader: '%' outside for /L")
ps = powershell.PsReader(
    "Set-NetFirewallProfile -All -DefaultOutboundAction Block\n"
    "New-NetFirewallRule -DisplayName 'x' -Direction Outbound -Action "
    "Allow -Protocol TCP -RemoteAddress @('192.0.2.1') | Out-Null\n")
ok(ps.decide(4, '192.0.2.9', 'tcp', 1) == 'allow',
   'reader: PowerShell too: the firewall is off until -Enabled True')

# -- egressc's scripts --
POL = open(os.path.join(ROOT, 'policies', 'heygen-livekit.yaml')).read()
LOCK = ['--lock', os.path.join(ROOT, 'policies',
                               'heygen-livekit.example.lock')]
for target in ('netsh', 'powershell'):
    r = subprocess.run([EG, 'compile', '-t', target] + LOCK +
                       [os.path.join(ROOT, 'policies',
                                     'heygen-livekit.yaml')],
                       capture_output=True, text=True)
    rd = READ[target](r.stdout)
    ok(all(rd.state.values()), '%s: the script turns the firewall on for '
       'every profile' % target)
    bad = [(p, rd.decide(*p)) for p in (
        (4, '8.8.8.8', 'udp', 53), (4, '8.8.8.8', 'tcp', 445),
        (6, '2001:4860::8888', 'udp', 53), (4, '8.8.8.8', 'icmp', 8),
        (6, '2001:db8::53', 'icmpv6', 2), (4, '192.0.2.53', 'tcp', 80))
        if rd.decide(*p) != 'deny']
    ok(not bad, "%s: default: deny is exclusive: what Windows' own rules "
       "allow and the policy does not is blocked" % target, bad)
    ok(rd.decide(4, '192.0.2.53', 'udp', 53) == 'allow' and
       rd.decide(6, '2001:db8::9', 'icmpv6', 135) == 'allow' and
       rd.decide(4, '8.8.8.8', 'udp', 50000) == 'allow',
       '%s: ...and what the policy allows goes' % target)
    ok('builtin-default-deny' in r.stdout,
       '%s: the complement is written as builtin-default-deny' % target)

# Bloat: one IPv6 deny cut around builtin-ipv6-nd.
r = compile_to('egressc: 1\nname: v6\nrules:\n  - name: bad\n'
               '    to: ["2001:db8:bad::/48"]\n    action: deny\n'
               '  - name: web\n    to: [any]\n    ports: [tcp/443]\n',
               'netsh')
cmds = [l for l in r.stdout.splitlines()
        if l.startswith(('netsh ', 'for '))]
rd = netsh.NetshReader(r.stdout)
ok(len(cmds) <= 30, 'netsh: a deny cut around neighbour discovery is a '
   'few lines, not one per ICMPv6 type (%d lines)' % len(cmds))
ok(rd.decide(6, '2001:db8:bad::1', 'icmpv6', 135) == 'allow' and
   rd.decide(6, '2001:db8:bad::1', 'icmpv6', 128) == 'deny' and
   rd.decide(6, '2001:db8:bad::1', 'icmpv6', 255) == 'deny' and
   rd.decide(6, '2001:db8:bad::1', 'tcp', 443) == 'deny' and
   rd.decide(6, '2001:db8:1::1', 'tcp', 443) == 'allow',
   'netsh: ...deciding as the policy does')

# cmd.exe's line limit, every list: 170 sources, 600 destinations.
# (Every other /24 and address, so that none joins into a range.)
srcs = ', '.join('10.%d.%d.0/24' % (i // 100, 2 * (i % 100))
                 for i in range(170))
dsts = ', '.join('198.18.%d.%d' % (i // 100, 2 * (i % 100) + 1)
                 for i in range(600))
ports = ', '.join('tcp/%d' % (1000 + 2 * i) for i in range(100))
BIG = ('egressc: 1\nname: big\ndefault: accept\nrules:\n  - name: wide\n'
       '    from: [%s]\n    to: [%s]\n    ports: [%s]\n    action: deny\n'
       % (srcs, dsts, ports))
r = compile_to(BIG, 'netsh')
longest = max(len(l) for l in r.stdout.splitlines())
ok(r.returncode == 0 and longest <= 8191,
   'netsh: 170 sources, 600 destinations, 100 ports: every line within '
   "cmd.exe's 8191 (longest %d)" % longest, r.stderr)
try:
    rd = netsh.NetshReader(r.stdout)
    ok(rd.decide(4, '198.18.0.1', 'tcp', 1000, src='10.0.4.7') == 'deny' and
       rd.decide(4, '198.18.0.1', 'tcp', 1001, src='10.0.4.7') == 'allow' and
       rd.decide(4, '198.18.5.199', 'tcp', 1198, src='10.1.138.1') ==
       'deny' and
       rd.decide(4, '198.18.0.1', 'tcp', 1000, src='10.0.5.1') == 'allow' and
       rd.decide(4, '198.18.0.2', 'tcp', 1000, src='10.0.4.1') == 'allow',
       'netsh: ...and the split commands match what the rule does')
except readers.ReaderError as e:
    ok(False, 'netsh: ...and the split commands match what the rule does',
       str(e))

# -- dynamic keywords --
KW = ("New-NetFirewallDynamicKeywordAddress -Id "
      "'{a4acf11e-f9d7-5293-889d-8709e322647e}' -Keyword 'api.example.com' "
      "-AutoResolve $true | Out-Null\n"
      "Set-NetFirewallProfile -All -Enabled True "
      "-DefaultOutboundAction Allow\n")
readers.DNS.clear()
readers.DNS['api.example.com'] = readers.AddrSet()
readers.DNS['api.example.com'].add_cidr('192.0.2.10')
blk = powershell.PsReader(
    KW + "New-NetFirewallRule -DisplayName 'b' -Direction Outbound -Action "
    "Block -Protocol Any -RemoteDynamicKeywordAddresses "
    "@('{a4acf11e-f9d7-5293-889d-8709e322647e}') | Out-Null\n")
ok(blk.decide(4, '192.0.2.10', 'tcp', 443) == 'allow',
   'reader: a block by keyword does not stop a client that did not look '
   'the name up')
alw = powershell.PsReader(
    KW.replace('Allow\n', 'Block\n') +
    "New-NetFirewallRule -DisplayName 'a' -Direction Outbound -Action "
    "Allow -Protocol TCP -RemoteDynamicKeywordAddresses "
    "@('{a4acf11e-f9d7-5293-889d-8709e322647e}') | Out-Null\n")
ok(alw.decide(4, '192.0.2.10', 'tcp', 443) == 'allow',
   'reader: an allow by keyword lets out a client that looked the name up')
ALLOW = ("Set-NetFirewallProfile -All -Enabled True\n"
         "New-NetFirewallDynamicKeywordAddress -Id "
         "'{a4acf11e-f9d7-5293-889d-8709e322647e}' -Keyword "
         "'api.example.com' -AutoResolve $true | Out-Null\n"
         "New-NetFirewallRule -DisplayName 'a' -Direction Outbound -Action "
         "Allow -Protocol TCP -RemoteDynamicKeywordAddresses "
         "@('{a4acf11e-f9d7-5293-889d-8709e322647e}') | Out-Null\n")
off = dict(powershell.DEVICE, MpPreference={'EnableNetworkProtection': 0})
ok(powershell.PsReader(ALLOW).decide(4, '192.0.2.10', 'tcp', 1) ==
   'allow' and powershell.PsReader(ALLOW, off).decide(
       4, '192.0.2.10', 'tcp', 1) == 'no decision',
   'reader: without Network Protection no keyword is filled: the rule '
   'matches nothing')

KPOL = os.path.join(ROOT, 'tests', 'policies', 'keywords.yaml')
KLOCK = os.path.join(ROOT, 'tests', 'policies', 'keywords.lock')
r = subprocess.run([EG, 'compile', '-t', 'powershell', '--lock', KLOCK,
                    KPOL], capture_output=True, text=True)
readers.load_lock(KLOCK)
rd = powershell.PsReader(r.stdout)
ok(rd.stopped is None and rd.keywords and
   rd.decide(4, '198.51.100.66', 'tcp', 1) == 'deny' and
   rd.decide(6, '2001:db8:bad::66', 'udp', 1) == 'deny' and
   rd.decide(4, '192.0.2.10', 'tcp', 443) == 'allow',
   'powershell: a deny of a host name blocks (the lock\'s addresses), an '
   'allow keeps its keyword', r.stdout[-600:])
ok('matches the lock\'s addresses of its host names' in r.stderr and
   'block by name would not stop' in r.stderr,
   'powershell: ...and compile says so at the rule', r.stderr)
REG_DOH = ('HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\DNSClient',
           'DoHPolicy')
REG_AUTO = ('HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Dnscache\\'
            'Parameters', 'EnableAutoDoh')
for what, dev, word in (
        ('Defender platform 4.18.2209.6',
         dict(powershell.DEVICE, MpComputerStatus={
             'AMProductVersion': '4.18.2209.6'}), 'platform'),
        ('Network Protection off',
         dict(powershell.DEVICE, MpPreference={
             'EnableNetworkProtection': 0}), 'Network Protection'),
        ('DoH required by policy',
         dict(powershell.DEVICE, registry={REG_DOH: 3}), 'DoHPolicy'),
        ('automatic DoH', dict(powershell.DEVICE, registry={REG_AUTO: 2}),
         'EnableAutoDoh')):
    rd = powershell.PsReader(r.stdout, dev)
    ok(rd.stopped is not None and word in rd.stopped and
       rd.rule_count() == 0 and not rd.keywords,
       'powershell: %s: the script stops before it changes anything, '
       'saying why' % what, rd.stopped)
rd = powershell.PsReader(r.stdout, dict(powershell.DEVICE, MpPreference={
    'EnableNetworkProtection': 2}))
ok(rd.stopped is None, 'powershell: Network Protection in audit mode will do')
r = subprocess.run([EG, 'compile', '-t', 'powershell', '--lock',
                    os.path.join(ROOT, 'tests', 'policies',
                                 'native-hosts.lock'),
                    os.path.join(ROOT, 'tests', 'policies',
                                 'native-hosts.yaml')],
                   capture_output=True, text=True)
ok(r.returncode == 0 and 'DynamicKeyword' not in r.stdout and
   'Get-MpComputerStatus' not in r.stdout and 'with default: deny' in
   r.stderr, 'powershell: under default: deny host names are the lock\'s '
   'addresses, no keyword, no check, and compile says why', r.stderr)
r = compile_to('egressc: 1\nname: w\nwildcards: native\ndefault: none\n'
               'rules:\n  - name: no\n    to: ["*.example.com"]\n'
               '    action: deny\n', 'powershell')
ok(r.returncode == 2 and "cannot keep the wildcard '*.example.com'" in
   r.stderr and r.stdout == '',
   'powershell: a block by wildcard is an error', r.stderr)

sys.exit(tap.done())
