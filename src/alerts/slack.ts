/** Slack-compatible incoming webhook: `text` (fallback, notifications) and `blocks` (the message). */
import type { Channel } from './channel.js';
import { postJson } from './channel.js';
import type { Notification } from './incident.js';
import { alertText } from './message.js';

/** Slack mrkdwn: &, < and > are the only characters to escape (they make links and @-mentions). */
function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackPayload(n: Notification, dashboardUrl: string): { text: string; blocks: unknown[] } {
  const t = alertText(n, dashboardUrl);
  const fields = t.fields.filter(([k]) => k !== 'reason').map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${mrkdwn(v)}` }));
  const reason = t.fields.find(([k]) => k === 'reason')?.[1] ?? '';
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: t.subject.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: mrkdwn(reason) } },
    { type: 'section', fields: fields.slice(0, 10) },
  ];
  // a code block cannot be closed early from inside: its fence is broken up
  if (t.sample !== undefined) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '```' + mrkdwn(t.sample).replace(/```/g, '`\u200b`\u200b`') + '```' } });
  if (t.link) blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in logradar' }, url: t.link }] });
  const text = `${mrkdwn(t.subject)}${t.link ? ` <${t.link}|open>` : ''}`;
  return { text, blocks };
}

export function slackChannel(url: string, dashboardUrl: string): Channel {
  return {
    name: 'slack',
    send: (n, timeoutMs) => postJson(url, JSON.stringify(slackPayload(n, dashboardUrl)), {}, timeoutMs),
  };
}
