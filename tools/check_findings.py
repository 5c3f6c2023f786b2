"""An independent reading of methodology §8 for a season: recomputes findings.csv and
drivers.csv from the config, the inputs and each inquiry's `answered` flag (from
`ksp run --emit-data`), and compares them with ksp's within 1e-6."""
import csv, json, sys, tomllib, pathlib, math
from scipy import stats
import numpy as np

config_path, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
cfg = tomllib.loads(config_path.read_text())
base = config_path.parent
parts = {r['participant_id']: r for r in csv.DictReader(open(base / cfg['input']['participants']))}
resp = list(csv.DictReader(open(base / cfg['input']['responses'])))
answered = {}
for f in (out / 'data').glob('*.json'):
    d = json.load(open(f))
    for i in d.get('inquiries', []):
        answered[i['id']] = i['answered']
questions = cfg['questions']
channels = list(cfg['channels'].keys())
YES = {'ja', 'yes', 'true', '1', 'j', 'y'}
NO = {'nei', 'no', 'false', '0', 'n'}

def points(q, raw, channel, sector):
    if 'area' not in q or q.get('report_only') or raw == '':
        return None
    if 'channels' in q and channel not in q['channels']:
        return None
    if sector in q.get('skip_sectors', []):
        return None
    if q['kind'] == 'scale':
        lo, hi = q['scale']; v = int(raw)
        return q['points'] * (v - lo) / (hi - lo), q['points']
    if q['kind'] == 'yes_no':
        return (q['points'] if raw.lower() in YES else 0.0), q['points']
    opt = {o['key']: o['points'] for o in q['options']}
    return opt[raw], max(opt.values()) if 'points' not in q else q['points']

def possible(q):
    if q['kind'] == 'choice':
        return max(o['points'] for o in q['options'])
    return q['points']

shares = {}  # (participant, q) -> list of earned/possible
pairs = {}
outcome = cfg.get('drivers', {}).get('outcome')
oq = next((q for q in questions if q['id'] == outcome), None)
for r in resp:
    if not answered.get(r['inquiry_id']):
        continue
    p = r['participant_id']; sector = parts[p]['sector']
    for q in questions:
        pt = points(q, r.get(q['id'], ''), r['channel'], sector)
        if pt is None:
            continue
        e, _ = pt
        s = e / possible(q)
        shares.setdefault((p, q['id']), []).append(s)
        if oq is not None and q['id'] != outcome and r.get(outcome, '') != '':
            raw = r[outcome]
            y = float(int(raw)) if oq['kind'] == 'scale' else (1.0 if raw.lower() in YES else 0.0)
            pairs.setdefault(q['id'], []).append((s, y))

ksp_parts = {r['participant_id']: r for r in csv.DictReader(open(out / 'results/participants.csv'))}
eligible = {p for p, r in ksp_parts.items() if r['eligible'] == 'true'}
classes = {}
for p, r in parts.items():
    classes.setdefault(r['class'], []).append(p)

worst = 0.0
checked = 0
ksp = {(r['participant_id'], r['id']): r for r in csv.DictReader(open(out / 'results/findings.csv')) if r['kind'] == 'question'}
for p in parts:
    members = [m for m in classes[parts[p]['class']] if m in eligible]
    for q in questions:
        if 'area' not in q or q.get('report_only'):
            continue
        mine = shares.get((p, q['id']))
        key = (p, q['id'])
        if not mine:
            assert key not in ksp, key
            continue
        value = 100 * sum(mine) / len(mine)
        cls = [100 * sum(shares[(m, q['id'])]) / len(shares[(m, q['id'])]) for m in members if shares.get((m, q['id']))]
        class_value = sum(cls) / len(cls) if cls else None
        others = [s for m in members if m != p for s in shares.get((m, q['id']), [])]
        pv = None
        if len(mine) >= 2 and len(others) >= 2 and (np.var(mine) > 0 or np.var(others) > 0):
            pv = stats.ttest_ind(mine, others, equal_var=False).pvalue
        k = ksp[key]
        for name, mine_v in [('value', value), ('class_value', class_value), ('p_value', pv)]:
            theirs = k[name]
            if mine_v is None or (isinstance(mine_v, float) and math.isnan(mine_v)):
                assert theirs == '', (key, name, theirs)
                continue
            d = abs(float(theirs) - mine_v); worst = max(worst, d); checked += 1
            assert d < 1e-6, (key, name, theirs, mine_v)
for r in csv.DictReader(open(out / 'results/drivers.csv')):
    ps = pairs.get(r['question'], [])
    assert int(r['n']) == len(ps), (r['question'], r['n'], len(ps))
    x, y = zip(*ps)
    mine = np.corrcoef(x, y)[0, 1]
    d = abs(float(r['r']) - mine); worst = max(worst, d); checked += 1
    assert d < 1e-6, (r['question'], r['r'], mine)
print(f"{checked} figures agree; largest difference {worst:.2e}")
