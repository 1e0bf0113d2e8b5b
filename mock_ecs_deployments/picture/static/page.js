// The state page of mock_ecs_deployments: draws a "picture" (the JSON of
// GET /mock-ecs-deployments/picture) as timelines on one shared time axis.
//
// File mode: the picture is inlined in #picture-data and read once; no controls.
// Live mode: #picture-data is empty; the picture is polled every second and the controls
// post to the server's control routes.
//
// Services come first, each a section of deployment rows; then, under "Daemons", each managed
// daemon the same way (its deployments drawn by the same code, on the same axis, but with no
// controls of their own).
//
// A refresh touches only the timeline (#axis, #services) and the details panel: rows and
// sections are kept by ARN and only what changed in them is redrawn, and the controls are
// never touched, so neither the focus nor what the user is typing is lost. Every text from
// the data goes in through textContent or setAttribute, never as markup.
"use strict";

(() => {
  // The SVG namespace, as the parser gave it to the page's own <svg>.
  const SVG_NS = document.getElementById("axis-svg").namespaceURI;
  const PREFIX = "/mock-ecs-deployments/";
  const PICTURE_URL = PREFIX + "picture";
  const RESET_URL = "/moto-api/reset";
  const POLL_MS = 1000;
  const DOWNLOAD_NAME = "mock-ecs-state.json";

  const STATUSES = [
    "PENDING", "IN_PROGRESS", "SUCCESSFUL", "STOP_REQUESTED", "STOPPED",
    "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED",
  ];
  const TERMINAL = new Set(["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"]);

  // Geometry of one row's SVG (px). Traffic 0..100 % spans TRAFFIC_BOTTOM..TRAFFIC_TOP.
  const ROW_H = 46;
  const BAR_Y = 14;
  const BAR_H = 16;
  const STAGE_Y = 33;
  const STAGE_H = 5;
  const TRAFFIC_TOP = 3;
  const TRAFFIC_BOTTOM = ROW_H - 3;
  const TERMINAL_W = 5;       // the end cap that shows how a finished deployment ended
  const MIN_BAR_W = 4;        // a deployment shorter than this still shows
  const AXIS_H = 36;          // as high as page.html draws #axis-svg
  const TICK_SPACING_PX = 110;

  const SECOND = 1000;
  const MINUTE = 60 * SECOND;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  const STEPS = [
    SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
    MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
    HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
    DAY, 2 * DAY, 7 * DAY, 14 * DAY,
  ];
  // Past two weeks, ticks fall on the first of a month, every this many months.
  const MONTH_STEPS = [1, 2, 3, 6, 12, 24, 60, 120];
  const MONTH = 30.44 * DAY;
  const MONDAY = 4 * DAY;       // the epoch was a Thursday: weeks start on Mondays

  const $ = (id) => document.getElementById(id);

  // The two kinds of row owner: what differs in how their sections, rows and details read.
  const KINDS = {
    service: {
      name: "service",
      heading: "h2",
      noun: "Deployment",
      owner: "Service",
      describe: "DescribeServiceDeployments",
      meta: (service) => [
        service.status, `desired ${service.desired_count}`, service.strategy,
        shortTaskDefinition(service.task_definition),
      ],
    },
    daemon: {
      name: "daemon",
      heading: "h3",
      noun: "Daemon deployment",
      owner: "Daemon",
      describe: "DescribeDaemonDeployments",
      meta: (daemon) => {
        const providers = Array.isArray(daemon.capacity_providers) ? daemon.capacity_providers.length : 0;
        return [
          daemon.status, shortTaskDefinition(daemon.task_definition),
          `${providers} capacity provider${providers === 1 ? "" : "s"}`,
        ];
      },
    },
  };

  const state = {
    mode: "live",
    picture: null,
    selectedArn: null,
    detailsKey: null,      // what the details panel shows now; rebuilt only when it changes
    detailsArn: null,
    serviceOptionsKey: null,
    inFlight: false,
    again: false,          // a refresh was asked for while a poll was in flight
    width: 0,
  };

  window.renderCount = 0;
  window.lastRenderMs = 0;

  // -- small helpers ----------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    if (attrs) for (const name in attrs) node.setAttribute(name, String(attrs[name]));
    return node;
  }

  function svgTitle(parent, text) {
    const title = document.createElementNS(SVG_NS, "title");
    title.textContent = String(text);
    parent.appendChild(title);
  }

  // A status as a class-name-safe token (the data is not trusted to be one).
  function token(value) {
    return String(value ?? "unknown").replace(/[^A-Za-z0-9_-]/g, "_");
  }

  function iso(ms) {
    if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
    try { return new Date(ms).toISOString(); } catch (_) { return String(ms); }
  }

  function pad2(n) { return String(n).padStart(2, "0"); }

  function shortDateTime(ms) {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
      `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  }

  function duration(ms) {
    if (!Number.isFinite(ms) || ms < 0) return "";
    const s = Math.round(ms / 1000);
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
    const h = Math.floor(m / 60);
    if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
    const d = Math.floor(h / 24);
    return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
  }

  // "arn:...:task-definition/web:3" -> "web:3"
  function shortTaskDefinition(value) {
    if (!value) return "";
    const text = String(value);
    const slash = text.lastIndexOf("/");
    return slash >= 0 ? text.slice(slash + 1) : text;
  }

  function isNumber(value) {
    return typeof value === "number" && Number.isFinite(value);
  }

  // -- the time axis ----------------------------------------------------------------------

  // The axis all rows share, services' and daemons': from the earliest createdAt to
  // max(now, the latest finish), padded a little.
  // range: "all" (the contract's axis), "fit" (the deployments only: now is left out unless
  // one is still going), "selected" (the selected deployment's life, else as "all"), or a
  // number of ms back from now.
  function makeAxis(picture, width, range) {
    const now = isNumber(picture.now_ms) ? picture.now_ms : Date.now();
    let lo = Infinity;
    let latest = -Infinity;
    let ongoing = false;
    for (const { dep } of everyDeployment(picture)) {
      if (isNumber(dep.created_ms)) lo = Math.min(lo, dep.created_ms);
      const end = endOf(dep);
      if (end !== null) latest = Math.max(latest, end);
      else ongoing = true;
    }
    let hi = range === "fit" && !ongoing && Number.isFinite(latest) ? latest : Math.max(now, latest);
    if (!Number.isFinite(lo)) lo = now - HOUR;
    const selected = range === "selected" ? findDeployment(picture, state.selectedArn) : null;
    if (selected && isNumber(selected.dep.created_ms)) {
      lo = selected.dep.created_ms;
      const end = endOf(selected.dep);
      hi = end !== null ? end : now;
    }
    if (typeof range === "number" && range > 0) lo = Math.max(lo, Math.min(hi, now) - range);
    if (hi - lo < MINUTE) lo = hi - MINUTE;
    const span = hi - lo;
    const padding = Math.max(span * 0.02, SECOND);
    const wanted = (span + 2 * padding) / Math.max(1, width / TICK_SPACING_PX);
    const months = wanted > STEPS[STEPS.length - 1]
      ? MONTH_STEPS.find((m) => m * MONTH >= wanted) || MONTH_STEPS[MONTH_STEPS.length - 1]
      : 0;
    const step = months ? months * MONTH : STEPS.find((s) => s >= wanted);
    // The ends are rounded out to a fifth of a step: a fixed quantum, not a share of the
    // span, so now's x moves as the clock does even when now is the right end.
    const quantum = months ? DAY : step / 5;
    const start = Math.floor((lo - padding) / quantum) * quantum;
    const end = Math.ceil((hi + padding) / quantum) * quantum;
    const scale = width / (end - start);
    const ticks = months ? monthTicks(start, end, months) : fixedTicks(start, end, step);
    const key = `${start}:${end}:${width}`;
    return { start, end, step, width, now, ticks, key, x: (ms) => (ms - start) * scale };
  }

  function fixedTicks(start, end, step) {
    const offset = step % (7 * DAY) === 0 ? MONDAY : 0;
    const ticks = [];
    for (let t = Math.ceil((start - offset) / step) * step + offset; t <= end; t += step) ticks.push(t);
    return ticks;
  }

  function monthTicks(start, end, months) {
    const ticks = [];
    const first = new Date(start);
    let index = first.getUTCFullYear() * 12 + first.getUTCMonth();
    index = Math.ceil(index / months) * months;
    for (;; index += months) {
      const t = Date.UTC(Math.floor(index / 12), index % 12, 1);
      if (t > end) break;
      if (t >= start) ticks.push(t);
    }
    return ticks;
  }

  function tickLabel(ms, step, previous) {
    const d = new Date(ms);
    const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    if (step >= DAY) return [date, null];
    let time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    if (step < MINUTE) time += `:${pad2(d.getUTCSeconds())}`;
    // The date under the first tick and wherever the day changes.
    const prevDate = previous === null ? null : new Date(previous).toISOString().slice(0, 10);
    return [time, prevDate === date ? null : date];
  }

  // The axis header: a persistent SVG whose ticks are redrawn when the axis changes and whose
  // #now-cursor moves with the clock.
  function drawAxis(axis) {
    const root = $("axis-svg");
    root.setAttribute("width", String(axis.width));
    if (cache.axisKey !== axis.key) {
      cache.axisKey = axis.key;
      const ticks = svg("g", { class: "ticks" });
      let previous = null;
      for (const t of axis.ticks) {
        const x = axis.x(t);
        const g = svg("g", { class: "tick" });
        g.appendChild(svg("line", { x1: x, x2: x, y1: AXIS_H - 6, y2: AXIS_H }));
        const [first, second] = tickLabel(t, axis.step, previous);
        previous = t;
        // Labels near the ends are anchored inwards so they are not cut off.
        const anchor = x < 34 ? "start" : x > axis.width - 34 ? "end" : "middle";
        const top = svg("text", { x, y: 12, "text-anchor": anchor });
        top.textContent = first;
        g.appendChild(top);
        if (second) {
          const bottom = svg("text", { x, y: 25, "text-anchor": anchor });
          bottom.textContent = second;
          g.appendChild(bottom);
        }
        ticks.appendChild(g);
      }
      root.replaceChild(ticks, root.firstChild);
    }
    const cursor = $("now-cursor");
    const xNow = String(axis.x(axis.now));
    cursor.setAttribute("x1", xNow);
    cursor.setAttribute("x2", xNow);
    cursor.setAttribute("data-now-ms", String(axis.now));
    cursor.firstChild.textContent = `now: ${iso(axis.now)}`;
  }

  // -- one deployment row -----------------------------------------------------------------

  // Rows and service sections are kept across refreshes, keyed by ARN, and only what changed
  // in them is redrawn: a row the user holds (focus, hover, a test's reference) stays the
  // same element while the picture is polled.
  const cache = {
    axisKey: null,
    rows: new Map(),       // deployment ARN -> row entry
    sections: new Map(),   // kind, source and service or daemon ARN -> section entry
    empty: null,           // the "no services" paragraph
    daemons: null,         // the "Daemons" section: {section, title}
  };

  function clampX(axis, x) {
    return Math.max(-10, Math.min(axis.width + 10, x));
  }

  function createRow() {
    const row = el("div", "deployment");
    row.tabIndex = 0;
    row.setAttribute("role", "button");
    const label = el("div", "label");
    const track = el("div", "track");
    const root = svg("svg", { height: ROW_H, focusable: "false", "aria-hidden": "true" });
    const drawing = svg("g", { class: "drawing" });
    const cursor = svg("line", { class: "now-cursor", y1: 0, y2: ROW_H });
    root.appendChild(drawing);
    root.appendChild(cursor);
    track.appendChild(root);
    row.appendChild(label);
    row.appendChild(track);
    return { row, label, root, drawing, cursor, labelKey: null, drawKey: null, width: null };
  }

  function rowFor(dep, axis, kind) {
    let entry = cache.rows.get(dep.arn);
    if (!entry) {
      entry = createRow();
      cache.rows.set(dep.arn, entry);
    }
    const { row } = entry;
    const status = String(dep.status ?? "");
    const strategy = dep.strategy ? String(dep.strategy) : "";
    const taskDef = shortTaskDefinition(dep.target_task_definition);
    const finished = endOf(dep);
    const begun = isNumber(dep.started_ms) ? dep.started_ms : dep.created_ms;
    // How long it took, once it is over (a running count would change the name every poll).
    const took = finished !== null ? duration(finished - begun) : "";
    const stage = status === "IN_PROGRESS" && dep.lifecycle_stage ? String(dep.lifecycle_stage) : "";
    const lines = [
      [strategy, taskDef].filter(Boolean).join(" · "),
      [shortDateTime(dep.created_ms), took, stage].filter(Boolean).join(" · "),
    ];

    row.dataset.deploymentArn = String(dep.arn ?? "");
    row.dataset.kind = kind.name;
    row.dataset.status = status;
    const selected = dep.arn === state.selectedArn;
    row.classList.toggle("selected", selected);
    row.setAttribute("aria-pressed", selected ? "true" : "false");
    if (selected) row.setAttribute("aria-current", "true");
    else row.removeAttribute("aria-current");
    // The name holds the visible text, in its order.
    const name = `${kind.noun} ${dep.id} ${status} ${lines.join(" ")}`;
    if (row.getAttribute("aria-label") !== name) row.setAttribute("aria-label", name);

    const labelKey = JSON.stringify([dep.id, status, lines]);
    if (labelKey !== entry.labelKey) {
      entry.labelKey = labelKey;
      // Spaces between the parts, so the text reads as the name does.
      const first = el("div", "first");
      first.append(el("span", "dep-id mono", dep.id), " ", el("span", `badge status-${token(status)}`, status), " ");
      entry.label.replaceChildren(first, el("div", "dep-meta", `${lines[0]} `), el("div", "dep-meta", lines[1]));
    }

    if (entry.width !== axis.width) {
      entry.width = axis.width;
      entry.root.setAttribute("width", String(axis.width));
    }
    // A deployment still going is drawn up to now, so it is redrawn as the clock moves.
    const drawKey = axis.key + JSON.stringify([
      finished === null ? axis.now : null, status, dep.created_ms, dep.started_ms, finished,
      dep.updated_ms, dep.segments, dep.traffic, dep.marks,
    ]);
    if (drawKey !== entry.drawKey) {
      entry.drawKey = drawKey;
      const drawing = drawDeployment(dep, axis);
      entry.root.replaceChild(drawing, entry.drawing);
      entry.drawing = drawing;
    }
    const xNow = String(axis.x(axis.now));
    entry.cursor.setAttribute("x1", xNow);
    entry.cursor.setAttribute("x2", xNow);
    return row;
  }

  // When a deployment ended (finished, else stopped), or null while it goes on.
  function endOf(dep) {
    if (isNumber(dep.finished_ms)) return dep.finished_ms;
    if (isNumber(dep.stopped_ms) && TERMINAL.has(dep.status)) return dep.stopped_ms;
    return null;
  }

  // The row's picture of one deployment: grid, status bar, stages, traffic, marks.
  function drawDeployment(dep, axis) {
    const root = svg("g", { class: "drawing" });
    for (const t of axis.ticks) {
      const x = axis.x(t);
      root.appendChild(svg("line", { class: "grid", x1: x, x2: x, y1: 0, y2: ROW_H }));
    }
    const now = axis.now;
    const segments = Array.isArray(dep.segments) ? dep.segments.filter((s) => s && isNumber(s.start_ms)) : [];
    const finished = endOf(dep);

    // Status stretches, each in its status's colour.
    const statusSegments = segments.filter((s) => s.kind === "status");
    let barEnd = null;
    statusSegments.forEach((seg, index) => {
      const x0 = clampX(axis, axis.x(seg.start_ms));
      let x1 = clampX(axis, axis.x(isNumber(seg.end_ms) ? seg.end_ms : now));
      // The last stretch always shows, however short it is on this axis.
      if (index === statusSegments.length - 1 && x1 - x0 < MIN_BAR_W) x1 = x0 + MIN_BAR_W;
      const rect = svg("rect", {
        class: `status-bar status-${token(seg.name)}`, "data-status": seg.name,
        x: x0, y: BAR_Y, width: Math.max(0, x1 - x0), height: BAR_H,
      });
      const end = isNumber(seg.end_ms) ? iso(seg.end_ms) : "now";
      svgTitle(rect, `${seg.name}: ${iso(seg.start_ms)} to ${end}`);
      root.appendChild(rect);
      barEnd = x1;
    });

    // How a finished deployment ended: a cap in its final status's colour.
    if (TERMINAL.has(dep.status)) {
      let at = finished !== null ? axis.x(finished) : barEnd;
      if (at === null) at = axis.x(isNumber(dep.updated_ms) ? dep.updated_ms : dep.created_ms);
      const cap = svg("rect", {
        class: `status-bar terminal status-${token(dep.status)}`, "data-status": dep.status,
        x: clampX(axis, at), y: BAR_Y - 2, width: TERMINAL_W, height: BAR_H + 4,
      });
      svgTitle(cap, `${dep.status}${finished !== null ? ` at ${iso(finished)}` : ""}`);
      root.appendChild(cap);
    }

    // Lifecycle stages: thin stretches under the bar, alternating shades.
    let stageIndex = 0;
    for (const seg of segments) {
      if (seg.kind !== "stage") continue;
      const x0 = clampX(axis, axis.x(seg.start_ms));
      const x1 = clampX(axis, axis.x(isNumber(seg.end_ms) ? seg.end_ms : now));
      const rect = svg("rect", {
        class: `stage ${stageIndex % 2 ? "odd" : "even"}`, "data-stage": seg.name,
        x: x0, y: STAGE_Y, width: Math.max(1, x1 - x0), height: STAGE_H,
      });
      const end = isNumber(seg.end_ms) ? iso(seg.end_ms) : "now";
      svgTitle(rect, `stage ${seg.name}: ${iso(seg.start_ms)} to ${end}`);
      root.appendChild(rect);
      stageIndex += 1;
    }

    // Traffic weights: a step line from each point to the next, then to the end.
    const traffic = Array.isArray(dep.traffic) ? dep.traffic.filter((p) => p && isNumber(p.at_ms)) : [];
    if (traffic.length) {
      const endMs = finished !== null ? finished : now;
      if (traffic.some((p) => isNumber(p.test))) {
        const test = svg("polyline", {
          class: "traffic-test", points: trafficPoints(traffic, "test", endMs, axis),
        });
        svgTitle(test, "test traffic to the target: " + traffic.map((p) => `${p.test}%`).join(" → "));
        root.appendChild(test);
      }
      const line = svg("polyline", {
        class: "traffic", points: trafficPoints(traffic, "production", endMs, axis),
      });
      svgTitle(line, "production traffic to the target: " +
        traffic.map((p) => `${p.production}%`).join(" → "));
      root.appendChild(line);
    }

    // Instants: rollback started, stop, finished, hook timeouts.
    for (const mark of Array.isArray(dep.marks) ? dep.marks : []) {
      if (!mark || !isNumber(mark.at_ms)) continue;
      root.appendChild(buildMark(mark, axis.x(mark.at_ms)));
    }
    return root;
  }

  function trafficY(percent) {
    const p = Math.max(0, Math.min(100, Number(percent) || 0));
    return TRAFFIC_BOTTOM - (p / 100) * (TRAFFIC_BOTTOM - TRAFFIC_TOP);
  }

  function trafficPoints(points, key, endMs, axis) {
    const out = [];
    let y = null;
    for (const p of points) {
      const x = clampX(axis, axis.x(p.at_ms)).toFixed(2);
      const next = trafficY(p[key]).toFixed(2);
      if (y !== null) out.push(`${x},${y}`);
      out.push(`${x},${next}`);
      y = next;
    }
    const last = points[points.length - 1].at_ms;
    out.push(`${clampX(axis, axis.x(Math.max(endMs, last))).toFixed(2)},${y}`);
    return out.join(" ");
  }

  const MARK_GLYPHS = {
    // Drawn around (0, 0); translated to the mark's x.
    rollback: "M4,-5 L-5,0 L4,5 Z",
    stop: "M-4,-4 H4 V4 H-4 Z",
    finished: "M-4.5,0 A4.5,4.5 0 1,0 4.5,0 A4.5,4.5 0 1,0 -4.5,0 Z",
    hook: "M0,-5 L5,0 L0,5 L-5,0 Z",
  };

  function buildMark(mark, x) {
    const kind = token(mark.kind);
    const g = svg("g", { class: "mark", "data-kind": mark.kind, transform: `translate(${x},0)` });
    g.appendChild(svg("line", { x1: 0, x2: 0, y1: 7, y2: ROW_H - 2 }));
    g.appendChild(svg("path", {
      d: MARK_GLYPHS[kind] || MARK_GLYPHS.hook, transform: "translate(0,7)",
    }));
    svgTitle(g, `${mark.kind} at ${iso(mark.at_ms)}${mark.label ? `: ${mark.label}` : ""}`);
    return g;
  }

  // A page drawn from several scenario files (show --html) may hold one service once per
  // file: each file's is its own section, labelled with the file.
  function sectionKey(owner, kind) {
    return `${kind.name}\n${owner.source ?? ""}\n${owner.arn}`;
  }

  // The section of a service (section.service) or of a daemon (section.daemon): a heading
  // with its name, where it is and what it runs, then a row per deployment, oldest first.
  function sectionFor(owner, axis, seen, kind) {
    const key = sectionKey(owner, kind);
    let entry = cache.sections.get(key);
    if (!entry) {
      const section = el("section", kind.name);
      const head = el("header");
      const none = el("p", "none", "No deployments.");
      section.appendChild(head);
      entry = { section, head, none, headKey: null };
      cache.sections.set(key, entry);
    }
    entry.section.dataset[`${kind.name}Arn`] = String(owner.arn ?? "");
    if (owner.source) entry.section.dataset.source = String(owner.source);
    const meta = kind.meta(owner).filter(Boolean);
    let where = `cluster ${owner.cluster} · region ${owner.region} · account ${owner.account_id}`;
    if (owner.source) where += ` · from ${owner.source}`;
    const headKey = JSON.stringify([owner.name, where, meta]);
    if (headKey !== entry.headKey) {
      entry.headKey = headKey;
      const title = el(kind.heading);
      title.append(String(owner.name ?? ""), " ", el("span", "where", where));
      entry.head.replaceChildren(title, el("span", "service-meta", meta.join(" · ")));
    }
    const deployments = Array.isArray(owner.deployments) ? owner.deployments : [];
    const children = [entry.head];
    if (!deployments.length) children.push(entry.none);
    for (const dep of deployments) {
      children.push(rowFor(dep, axis, kind));
      seen.add(dep.arn);
    }
    syncChildren(entry.section, children);
    return entry.section;
  }

  // The "Daemons" section after the services: its heading, then a section per daemon.
  function daemonsSection(daemons, axis, seen) {
    if (!cache.daemons) {
      const section = el("section", "daemons");
      section.setAttribute("aria-labelledby", "daemons-title");
      const title = el("h2", "group-title", "Daemons");
      title.id = "daemons-title";
      cache.daemons = { section, title };
    }
    const { section, title } = cache.daemons;
    syncChildren(section, [title, ...daemons.map((daemon) => sectionFor(daemon, axis, seen, KINDS.daemon))]);
    return section;
  }

  // Makes `wanted` the children of `parent`, in order, moving only the nodes out of place
  // (a first fill goes in as one fragment).
  function syncChildren(parent, wanted) {
    if (!parent.firstChild) {
      const fragment = document.createDocumentFragment();
      for (const node of wanted) fragment.appendChild(node);
      parent.appendChild(fragment);
      return;
    }
    wanted.forEach((node, index) => {
      const current = parent.childNodes[index];
      if (current !== node) parent.insertBefore(node, current || null);
    });
    while (parent.childNodes.length > wanted.length) parent.lastChild.remove();
  }

  // -- render -----------------------------------------------------------------------------

  function listOf(value) {
    return Array.isArray(value) ? value : [];
  }

  // Every deployment of the picture with its owner and the owner's kind: the services', then
  // the daemons'.
  function* everyDeployment(picture) {
    for (const [owners, kind] of [[picture.services, KINDS.service], [picture.daemons, KINDS.daemon]]) {
      for (const owner of listOf(owners)) {
        for (const dep of listOf(owner.deployments)) yield { owner, kind, dep };
      }
    }
  }

  function findDeployment(picture, arn) {
    if (!arn) return null;
    for (const found of everyDeployment(picture)) if (found.dep.arn === arn) return found;
    return null;
  }

  function viewRange() {
    const value = $("axis-range").value;
    return ["all", "fit", "selected"].includes(value) ? value : Number(value) || "all";
  }

  function render(picture) {
    const started = performance.now();
    // The one layout read, before anything is written.
    const measured = $("axis-track").clientWidth;
    const width = measured > 0 ? measured : 600;
    state.width = width;
    state.picture = picture;

    const active = document.activeElement;
    const focusedArn = active && active.classList && active.classList.contains("deployment")
      ? active.dataset.deploymentArn : null;

    if (state.selectedArn && !findDeployment(picture, state.selectedArn)) state.selectedArn = null;

    const axis = makeAxis(picture, width, viewRange());
    const nowText = String(picture.now ?? iso(axis.now));
    const clock = $("clock");
    clock.textContent = nowText;
    clock.dataset.nowMs = String(axis.now);
    clock.setAttribute("datetime", nowText);
    $("axis-caption").textContent = `UTC · ${duration(axis.end - axis.start)} shown`;
    drawAxis(axis);

    const services = listOf(picture.services);
    const daemons = listOf(picture.daemons);
    const seen = new Set();
    const sections = services.map((service) => sectionFor(service, axis, seen, KINDS.service));
    if (daemons.length) sections.push(daemonsSection(daemons, axis, seen));
    if (!services.length && !daemons.length) {
      if (!cache.empty) cache.empty = el("p", "none");
      cache.empty.textContent = state.mode === "live"
        ? "The mock holds no services. Load a scenario, or create services through the ECS API."
        : "The mock held no services.";
      sections.push(cache.empty);
    }
    syncChildren($("services"), sections);
    // Forget what is gone (after a reset, say).
    for (const arn of cache.rows.keys()) if (!seen.has(arn)) cache.rows.delete(arn);
    const sectionKeys = new Set([
      ...services.map((service) => sectionKey(service, KINDS.service)),
      ...daemons.map((daemon) => sectionKey(daemon, KINDS.daemon)),
    ]);
    for (const key of cache.sections.keys()) if (!sectionKeys.has(key)) cache.sections.delete(key);

    // A focused row that had to move is focused again.
    if (focusedArn && document.activeElement !== active && cache.rows.has(focusedArn)) {
      cache.rows.get(focusedArn).row.focus({ preventScroll: true });
    }

    renderDetails(picture);
    if (state.mode === "live") updateServiceOptions(services);

    window.lastRenderMs = performance.now() - started;
    window.renderCount += 1;
  }

  // -- details ----------------------------------------------------------------------------

  function select(arn) {
    state.selectedArn = arn;
    for (const row of $("services").querySelectorAll(".deployment.selected")) {
      row.classList.remove("selected");
      row.setAttribute("aria-pressed", "false");
      row.removeAttribute("aria-current");
    }
    for (const row of $("services").querySelectorAll(".deployment")) {
      if (row.dataset.deploymentArn === arn) {
        row.classList.add("selected");
        row.setAttribute("aria-pressed", "true");
        row.setAttribute("aria-current", "true");
      }
    }
    if (!state.picture) return;
    if ($("axis-range").value === "selected") render(state.picture);
    else renderDetails(state.picture);
  }

  function renderDetails(picture) {
    const tasks = $("details-tasks");
    const note = String(picture.tasks_note ?? "");
    if (tasks.textContent !== note) tasks.textContent = note;

    const found = findDeployment(picture, state.selectedArn);
    // Rebuilt only when what it shows changes: a steady panel keeps its scroll position and
    // the focus, and the live region does not announce every poll.
    const key = found ? JSON.stringify([found.kind.name, found.owner.arn, found.dep]) : "";
    if (key === state.detailsKey) return;
    const sameDeployment = Boolean(found) && state.detailsArn === found.dep.arn;
    state.detailsKey = key;
    state.detailsArn = found ? found.dep.arn : null;

    const describe = $("details-describe");
    const scrollTop = sameDeployment ? describe.scrollTop : 0;
    $("details-hint").hidden = Boolean(found);
    if (!found) {
      $("details-summary").replaceChildren();
      describe.textContent = "";
      $("details-events").replaceChildren();
      $("details-calls").replaceChildren();
      $("details-events-none").hidden = true;
      $("details-calls-none").hidden = true;
      $("details-actions").hidden = true;
      $("details-tasks-section").hidden = false;
      return;
    }
    const { owner, kind, dep } = found;
    $("details-summary").replaceChildren(buildSummary(owner, kind, dep));
    const describeTitle = $("details-describe-title");
    if (describeTitle.textContent !== kind.describe) describeTitle.textContent = kind.describe;
    // The tasks note is of services' deployments (a daemon's counts instances).
    $("details-tasks-section").hidden = kind !== KINDS.service;
    describe.textContent = JSON.stringify(dep.describe ?? {}, null, 2);
    describe.scrollTop = scrollTop;

    const events = Array.isArray(dep.events) ? dep.events : [];
    const eventItems = document.createDocumentFragment();
    for (const event of events) eventItems.appendChild(buildEvent(event));
    $("details-events").replaceChildren(eventItems);
    $("details-events-none").hidden = events.length > 0;

    const calls = Array.isArray(dep.calls) ? dep.calls : [];
    const callItems = document.createDocumentFragment();
    for (const call of calls) callItems.appendChild(buildCall(call));
    $("details-calls").replaceChildren(callItems);
    $("details-calls-none").hidden = calls.length > 0;

    updateActions(dep, kind);
  }

  function buildSummary(owner, kind, dep) {
    const box = document.createDocumentFragment();
    const title = el("div", "summary-title");
    title.appendChild(el("strong", null, `${kind.noun} ${dep.id}`));
    title.appendChild(el("span", `badge status-${token(dep.status)}`, dep.status));
    box.appendChild(title);
    const dl = el("dl");
    const add = (name, value) => {
      if (value === null || value === undefined || value === "") return;
      dl.appendChild(el("dt", null, name));
      dl.appendChild(el("dd", null, value));
    };
    add(kind.owner, `${owner.name} (cluster ${owner.cluster}, ${owner.region}, ${owner.account_id})`);
    add("Status", dep.status);
    add("Reason", dep.status_reason);
    add("Strategy", dep.strategy);
    add("Stage", dep.lifecycle_stage);
    add("Created", iso(dep.created_ms));
    if (isNumber(dep.started_ms)) add("Started", iso(dep.started_ms));
    if (isNumber(dep.stopped_ms)) add("Stopped", iso(dep.stopped_ms));
    if (isNumber(dep.finished_ms)) add("Finished", iso(dep.finished_ms));
    add("Target", kind === KINDS.daemon && !dep.target_task_definition
      ? "none (it drains the daemon's instances)" : dep.target_task_definition);
    const sources = Array.isArray(dep.source_revision_arns) ? dep.source_revision_arns : [];
    add("Sources", sources.length ? sources.join(", ") : "none");
    add("ARN", dep.arn);
    box.appendChild(dl);
    return box;
  }

  function buildEvent(event) {
    const li = el("li");
    const detail = (event && typeof event.detail === "object" && event.detail) || {};
    li.appendChild(el("span", "when", event.time ?? ""));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("strong", null, event["detail-type"] ?? "event"));
    const what = [detail.eventName, detail.reason].filter(Boolean).join(": ");
    if (what) li.appendChild(document.createTextNode(` — ${what}`));
    return li;
  }

  function buildCall(call) {
    const li = el("li");
    li.appendChild(el("strong", null, call.operation ?? "call"));
    li.appendChild(document.createTextNode(` → HTTP ${call.status ?? "?"}`));
    if (call.error_code) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "call-error", call.error_code));
    }
    if (call.hint) li.appendChild(el("div", "when", call.hint));
    if (call.params && Object.keys(call.params).length) {
      li.appendChild(el("code", "params", JSON.stringify(call.params)));
    }
    return li;
  }

  function updateActions(dep, kind) {
    const actions = $("details-actions");
    // A daemon deployment has no stop or continue to offer.
    if (state.mode !== "live" || kind !== KINDS.service) {
      actions.hidden = true;
      return;
    }
    const active = document.activeElement;
    actions.hidden = false;
    $("stop-rollback").disabled = !dep.can_roll_back;
    $("stop-abort").disabled = !dep.can_stop;
    const hooks = Array.isArray(dep.hooks_awaiting) ? dep.hooks_awaiting : [];
    const hook = hooks[0];
    $("hook-row").hidden = !hook;
    $("hook-continue").hidden = !hook;
    $("hook-rollback").hidden = !hook;
    $("hook-note").textContent = hook
      ? `Hook ${hook.hook_id} awaits action at ${hook.stage}` +
        (hooks.length > 1 ? ` (${hooks.length - 1} more after it)` : "")
      : "";
    // A button that just acted and is now hidden or disabled hands the focus to its row.
    if (active && actions.contains(active) && (active.disabled || active.hidden)) {
      const row = cache.rows.get(dep.arn);
      if (row) row.row.focus({ preventScroll: true });
    }
  }

  // -- live mode: polling -----------------------------------------------------------------

  async function poll() {
    if (state.inFlight) {
      state.again = true;
      return;
    }
    state.inFlight = true;
    const status = $("poll-status");
    try {
      const response = await fetch(PICTURE_URL, {
        cache: "no-store", headers: { Accept: "application/json" },
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${messageOf(text)}`);
      const picture = JSON.parse(text);
      if (!status.hidden) status.hidden = true;
      render(picture);
    } catch (error) {
      const text = `Could not read the state from the server: ${error.message || error}`;
      if (status.textContent !== text) status.textContent = text;
      status.hidden = false;
    } finally {
      state.inFlight = false;
      if (state.again) {
        state.again = false;
        poll();
      }
    }
  }

  function startPolling() {
    poll();
    setInterval(() => {
      // A poll still in flight is not doubled; a hidden page is not polled.
      if (!document.hidden && !state.inFlight) poll();
    }, POLL_MS);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) poll();
    });
  }

  // -- live mode: controls ----------------------------------------------------------------

  function messageOf(text) {
    try {
      const value = JSON.parse(text);
      if (value && typeof value === "object" && value.message) return String(value.message);
    } catch (_) { /* not JSON */ }
    return text.trim() || "(no answer)";
  }

  function say(text, isError) {
    const message = $("message");
    message.textContent = text;
    message.classList.toggle("error", Boolean(isError));
  }

  // Sends one control request; shows the answer (or the error's message) and refreshes.
  // Returns the answer's JSON, or null when it failed.
  async function send(label, method, url, body, contentType) {
    const init = { method, headers: { Accept: "application/json" }, cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = contentType || "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    let answer = null;
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      if (!response.ok) {
        say(`${label} failed (HTTP ${response.status}): ${messageOf(text)}`, true);
        return null;
      }
      try { answer = text ? JSON.parse(text) : {}; } catch (_) { answer = text; }
      return answer;
    } catch (error) {
      say(`${label} failed: could not reach the server (${error.message || error})`, true);
      return null;
    } finally {
      poll();
    }
  }

  function sayAnswer(label, answer) {
    say(`${label}: ${typeof answer === "string" ? answer : JSON.stringify(answer)}`, false);
  }

  async function advance(seconds) {
    const answer = await send(`Advance ${seconds} s`, "POST", PREFIX + "advance", { seconds });
    if (answer !== null) sayAnswer(`Advanced ${seconds} s`, answer);
  }

  function numberOrNull(input) {
    const text = input.value.trim();
    if (text === "") return null;
    const value = Number(text);
    return Number.isFinite(value) ? value : NaN;
  }

  async function stop(stopType) {
    const found = state.picture && findDeployment(state.picture, state.selectedArn);
    if (!found || found.kind !== KINDS.service) return say("Select a service deployment first.", true);
    const label = `Stop ${found.dep.id} (${stopType})`;
    const answer = await send(label, "POST", PREFIX + "stop", {
      deployment_arn: found.dep.arn, stop_type: stopType,
    });
    if (answer !== null) sayAnswer(label, answer);
  }

  async function continueHook(action) {
    const found = state.picture && findDeployment(state.picture, state.selectedArn);
    const hook = found && found.kind === KINDS.service && (found.dep.hooks_awaiting || [])[0];
    if (!hook) return say("No hook of the selected deployment awaits action.", true);
    const label = `${action === "CONTINUE" ? "Continue" : "Roll back"} hook ${hook.hook_id}`;
    const answer = await send(label, "POST", PREFIX + "continue", {
      deployment_arn: found.dep.arn, hook_id: hook.hook_id, action,
    });
    if (answer !== null) sayAnswer(label, answer);
  }

  // The service options follow the picture, grouped by cluster, region and account (the
  // option's text is the service's name, its value the service's ARN); rebuilt only when the
  // list changes, keeping the user's choice.
  function updateServiceOptions(services) {
    const key = services.map((s) => s.arn).join("\n");
    if (key === state.serviceOptionsKey) return;
    state.serviceOptionsKey = key;
    const selectEl = $("plan-service");
    const chosen = selectEl.value;
    const options = document.createDocumentFragment();
    let group = null;
    for (const service of services) {
      const where = `${service.cluster} · ${service.region} · ${service.account_id}`;
      if (!group || group.label !== where) {
        group = document.createElement("optgroup");
        group.label = where;
        options.appendChild(group);
      }
      const option = el("option", null, service.name);
      option.value = String(service.arn);
      group.appendChild(option);
    }
    selectEl.replaceChildren(options);
    if (chosen && services.some((s) => s.arn === chosen)) selectEl.value = chosen;
  }

  function wireControls() {
    $("controls").hidden = false;

    $("advance-60").addEventListener("click", () => advance(60));
    $("advance-600").addEventListener("click", () => advance(600));
    $("advance-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const seconds = numberOrNull($("advance-seconds"));
      if (seconds === null || Number.isNaN(seconds)) {
        say("Advance: enter a number of seconds.", true);
        return;
      }
      advance(seconds);
    });

    $("stop-rollback").addEventListener("click", () => stop("ROLLBACK"));
    $("stop-abort").addEventListener("click", () => stop("ABORT"));
    $("hook-continue").addEventListener("click", () => continueHook("CONTINUE"));
    $("hook-rollback").addEventListener("click", () => continueHook("ROLLBACK"));

    $("plan-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const services = (state.picture && state.picture.services) || [];
      const service = services.find((s) => s.arn === $("plan-service").value);
      if (!service) return say("Plan: choose a service.", true);
      const body = {
        service: service.name, cluster: service.cluster,
        account_id: service.account_id, region: service.region,
        outcome: $("plan-outcome").value,
      };
      const inProgress = numberOrNull($("plan-in-progress"));
      if (Number.isNaN(inProgress)) return say("Plan: in progress for must be a number of seconds.", true);
      if (inProgress !== null) body.in_progress_for = inProgress;
      const label = `Plan the next deployment of ${service.name}`;
      const answer = await send(label, "POST", PREFIX + "plans", body);
      if (answer !== null) sayAnswer(label, answer);
    });

    $("error-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const operation = $("error-operation").value.trim();
      const code = $("error-code").value.trim();
      if (!operation || !code) return say("Inject an error: give an operation and a code.", true);
      const times = numberOrNull($("error-times"));
      if (Number.isNaN(times)) return say("Inject an error: times must be a whole number.", true);
      const label = `Inject ${code} into ${operation}`;
      // times null: every call.
      const answer = await send(label, "POST", PREFIX + "errors", { operation, code, times });
      if (answer !== null) sayAnswer(label, answer);
    });

    $("scenario-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = $("scenario-file").files[0];
      if (!file) return say("Load scenario: choose a file first.", true);
      let text;
      try {
        text = await file.text();
      } catch (error) {
        return say(`Load scenario: could not read ${file.name}: ${error.message || error}`, true);
      }
      const type = file.name.toLowerCase().endsWith(".json") ? "application/json" : "application/yaml";
      const label = `Load scenario ${file.name}`;
      const answer = await send(label, "POST", PREFIX + "scenario", text, type);
      if (answer !== null) sayAnswer(label, answer);
    });

    $("download-state").addEventListener("click", async () => {
      let text;
      try {
        const response = await fetch(PREFIX + "scenario", {
          cache: "no-store", headers: { Accept: "application/json" },
        });
        text = await response.text();
        if (!response.ok) {
          say(`Download state failed (HTTP ${response.status}): ${messageOf(text)}`, true);
          return;
        }
      } catch (error) {
        say(`Download state failed: could not reach the server (${error.message || error})`, true);
        return;
      } finally {
        poll();
      }
      const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = DOWNLOAD_NAME;
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60 * SECOND);
      let services = "";
      try {
        const state_ = JSON.parse(text);
        if (state_ && Array.isArray(state_.services)) services = ` (${state_.services.length} services)`;
      } catch (_) { /* shown as downloaded all the same */ }
      say(`Downloaded the state as ${DOWNLOAD_NAME}${services}.`, false);
    });

    $("reset").addEventListener("click", async () => {
      const answer = await send("Reset", "POST", RESET_URL, {});
      if (answer !== null) sayAnswer("Reset", answer);
    });
  }

  // -- legend and wiring ------------------------------------------------------------------

  function legendItem(graphic, text) {
    const item = el("span", "legend-item");
    graphic.setAttribute("aria-hidden", "true");
    graphic.setAttribute("focusable", "false");
    item.appendChild(graphic);
    item.appendChild(el("span", null, text));
    return item;
  }

  function buildLegend() {
    const legend = $("legend");
    const items = document.createDocumentFragment();
    for (const status of STATUSES) {
      const box = svg("svg", { width: 16, height: 12 });
      box.appendChild(svg("rect", { class: `legend-swatch status-${status}`, x: 0.5, y: 0.5, width: 15, height: 11 }));
      items.appendChild(legendItem(box, status));
    }
    const line = (cls, text) => {
      const box = svg("svg", { width: 22, height: 12 });
      box.appendChild(svg("polyline", { class: cls, points: "1,10 8,10 8,3 21,3" }));
      return legendItem(box, text);
    };
    items.appendChild(line("legend-traffic", "production traffic"));
    items.appendChild(line("legend-traffic-test", "test traffic"));
    const stage = svg("svg", { width: 22, height: 12 });
    stage.appendChild(svg("rect", { class: "legend-stage even", x: 0, y: 4, width: 11, height: 5 }));
    stage.appendChild(svg("rect", { class: "legend-stage odd", x: 11, y: 4, width: 11, height: 5 }));
    items.appendChild(legendItem(stage, "lifecycle stages"));
    const now = svg("svg", { width: 8, height: 14 });
    now.appendChild(svg("line", { class: "legend-now", x1: 4, x2: 4, y1: 0, y2: 14 }));
    items.appendChild(legendItem(now, "now"));
    for (const kind of ["rollback", "stop", "finished", "hook"]) {
      const box = svg("svg", { width: 14, height: 14 });
      const g = svg("g", { class: "legend-mark", "data-kind": kind, transform: "translate(7,7)" });
      g.appendChild(svg("path", { d: MARK_GLYPHS[kind] }));
      box.appendChild(g);
      items.appendChild(legendItem(box, kind === "hook" ? "hook timeout" : kind));
    }
    legend.replaceChildren(items);
  }

  function wireTimeline() {
    const services = $("services");
    services.addEventListener("click", (event) => {
      const row = event.target.closest(".deployment");
      if (row) select(row.dataset.deploymentArn);
    });
    services.addEventListener("keydown", (event) => {
      const row = event.target;
      if (!row.classList || !row.classList.contains("deployment")) return;
      if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        select(row.dataset.deploymentArn);
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        const all = Array.from(services.querySelectorAll(".deployment"));
        const next = all[all.indexOf(row) + (event.key === "ArrowDown" ? 1 : -1)];
        if (next) {
          event.preventDefault();
          next.focus();
        }
      }
    });
    $("axis-range").addEventListener("change", () => {
      if (state.picture) render(state.picture);
    });
    // A new width redraws the last picture on the new axis.
    if (typeof ResizeObserver === "function") {
      let pending = false;
      new ResizeObserver(() => {
        if (pending || !state.picture) return;
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          const width = $("axis-track").clientWidth;
          if (state.picture && Math.abs(width - state.width) >= 1) render(state.picture);
        });
      }).observe($("axis-track"));
    }
  }

  function inlinedPicture() {
    const node = $("picture-data");
    const text = node ? node.textContent.trim() : "";
    return text ? text : null;
  }

  function main() {
    buildLegend();
    wireTimeline();
    const inlined = inlinedPicture();
    state.mode = inlined !== null ? "file" : "live";
    document.body.dataset.mode = state.mode;
    if (state.mode === "file") {
      $("controls").hidden = true;
      // A saved page says what it is of: the failing test's node id, or the files shown.
      document.querySelector(".subtitle").textContent = document.title;
      let picture;
      try {
        picture = JSON.parse(inlined);
      } catch (error) {
        say(`The page's data could not be read: ${error.message || error}`, true);
        return;
      }
      render(picture);
    } else {
      wireControls();
      startPolling();
    }
  }

  main();
})();
