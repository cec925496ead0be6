/** Per-campaign overview: totals and hourly SVG charts of posts, mentions seen/flagged, hijack alerts. */

import type { ShareTaps } from '../../site/taps.ts';
import type { Stats } from '../../store/types.ts';
import type { Role } from '../accounts.ts';
import { html } from '../html.ts';
import { barChart } from './charts.ts';
import { formatTime, shown } from './flag.ts';
import { page } from './layout.ts';
import { shareTapsSection } from './share-taps.ts';

export interface AlertRow {
  at: string;
  campaign: string;
  hashtag: string;
  windowShare: number;
  baselineShare: number;
}

export const OVERVIEW_RANGES: Record<string, number> = { '24': 24, '48': 48, '168': 168 };

export function overviewPage(input: {
  user: { name: string; role: Role };
  csrf: string;
  campaign?: string | undefined;
  campaigns: string[];
  hoursBack: number;
  from: string;
  to: string;
  stats: Stats;
  alerts: AlertRow[];
  shareTaps?: ShareTaps | undefined;
}): string {
  const { stats } = input;
  const fromMs = Date.parse(input.from);
  const hours: string[] = [];
  for (let i = 0; i < input.hoursBack; i++) hours.push(new Date(fromMs + i * 3_600_000).toISOString());
  const byHour = new Map(stats.hourly.map((h) => [h.hour.slice(0, 13), h]));
  const pick = (key: 'posts' | 'seen' | 'flagged') =>
    hours.map((h) => byHour.get(h.slice(0, 13))?.[key] ?? 0);
  const markers = [
    ...new Set(
      input.alerts
        .map((a) => Math.floor((Date.parse(a.at) - fromMs) / 3_600_000))
        .filter((i) => i >= 0 && i < hours.length),
    ),
  ];
  const campaigns = [...new Set([...input.campaigns, ...(input.campaign ? [input.campaign] : [])])].sort();
  const body = html`<h1>Overview${input.campaign ? html`: ${input.campaign}` : ' (all campaigns)'}</h1>
<form class="filters" method="get" action="/overview">
<label>Campaign<select name="campaign"><option value="">All</option>${campaigns.map(
    (c) => html`<option value="${c}"${c === input.campaign ? html` selected` : ''}>${c}</option>`,
  )}</select></label>
<label>Period<select name="hours">${Object.entries(OVERVIEW_RANGES).map(
    ([value, n]) =>
      html`<option value="${value}"${n === input.hoursBack ? html` selected` : ''}>last ${n === 168 ? '7 days' : `${n} hours`}</option>`,
  )}</select></label>
<button type="submit" class="primary">Show</button>
</form>
<p class="muted">${formatTime(input.from)} to ${formatTime(input.to)}</p>
<div class="cards">
<div><strong id="n-posts">${stats.posts}</strong>posts made</div>
<div><strong id="n-seen">${stats.mentionsSeen}</strong>mentions seen</div>
<div><strong id="n-flagged">${stats.mentionsFlagged}</strong>flagged</div>
<div><strong id="n-alerts">${stats.alerts}</strong>hijack alerts</div>
</div>
${barChart({ title: 'Posts made per hour', hours, series: [{ label: 'posts', colour: '#2b5797', values: pick('posts') }] })}
${barChart({
  title: 'Mentions per hour',
  hours,
  series: [
    { label: 'seen', colour: '#8fa9c9', values: pick('seen') },
    { label: 'flagged', colour: '#a35a00', values: pick('flagged') },
  ],
  markers,
})}
<h2>Hijack alerts</h2>
${
  input.alerts.length === 0
    ? html`<p class="muted">None in this period.</p>`
    : html`<table><tr><th>When</th><th>Campaign</th><th>Hashtag</th><th>Flagged share</th><th>Baseline</th></tr>${input.alerts.map(
        (a) =>
          html`<tr><td>${formatTime(a.at)}</td><td>${shown(a.campaign)}</td><td>#${shown(a.hashtag)}</td><td>${(a.windowShare * 100).toFixed(0)}%</td><td>${(a.baselineShare * 100).toFixed(0)}%</td></tr>`,
      )}</table>`
}
${shareTapsSection({ taps: input.shareTaps, from: input.from, to: input.to, campaign: input.campaign })}`;
  return page({ title: 'Overview', user: input.user, csrf: input.csrf, nav: 'overview' }, body);
}
