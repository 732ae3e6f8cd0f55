// The search page. It reads the site's own static index (written by generator/search.py):
// per query it fetches the term shards and postings of the query's words and the paper
// chunks of the results shown, each a small gzip JSON file, cached for the next query.
// Nothing from the index becomes markup: every string is put on the page as text.
// Topic and tag filters and the query are kept in the address (?q=...&topic=...&tag=...).
// The keyboard: ↓ from the box to the results, ↑ and ↓ through them, Enter opens one
// (Enter in the box opens the first).
(function () {
  "use strict";

  var PAGE = 20;
  var DEBOUNCE_MS = 60;
  var PARALLEL = 6; // index files fetched at once
  var MAX_WORDS = 10;
  var MAX_EXPANSIONS = 8; // words a prefix may stand for
  var PREFIX_FACTOR = 0.5; // a word the query only begins counts half
  var FACETS = [["topic", "Topics"], ["tag", "Tags"]];

  function el(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- words: the same rules as generator/search.py (words, stem) -------------------------

  function words(text) {
    return (text || "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
      .split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  function stem(word) {
    if (word.length <= 3 || word.charAt(word.length - 1) !== "s") return word;
    var end = function (s) { return word.slice(-s.length) === s; };
    if (end("ies") && !end("eies") && !end("aies")) return word.slice(0, -3) + "y";
    if (end("es") && !end("aes") && !end("ees") && !end("oes")) return word.slice(0, -1);
    if (end("us") || end("ss")) return word;
    return word.slice(0, -1);
  }

  function shardKey(term) {
    var bytes = new TextEncoder().encode(Array.from(term).slice(0, 2).join(""));
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function undelta(deltas) {
    var out = new Array(deltas.length);
    var n = 0;
    for (var i = 0; i < deltas.length; i++) {
      n += deltas[i];
      out[i] = n;
    }
    return out;
  }

  // --- the index files ----------------------------------------------------------------------

  function Index(base) {
    var files = {};
    var meta = null;
    var facets = null;
    var stop = null;
    var shards = null;

    // Files are fetched at most PARALLEL at a time, newest search first: while typing,
    // the requests of a search that a newer one replaced wait instead of delaying it.
    var queue = [];
    var active = 0;
    var priority = 0;

    this.prioritise = function (generation) { priority = generation; };

    function pump() {
      while (active < PARALLEL && queue.length) {
        var next = 0;
        for (var i = 1; i < queue.length; i++) {
          if (queue[i].priority > queue[next].priority) next = i;
        }
        var job = queue.splice(next, 1)[0];
        active++;
        fetchFile(job.path).then(job.resolve, job.reject).then(function () {
          active--;
          pump();
        });
      }
    }

    function fetchFile(path) {
      return fetch(new URL(path, base).href).then(function (response) {
        if (!response.ok) throw new Error(path + ": HTTP " + response.status);
        return response.arrayBuffer();
      }).then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        // a host may already have undone the gzip (Content-Encoding): then it is JSON
        if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new TextDecoder().decode(bytes);
        var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
        return new Response(stream).text();
      }).then(JSON.parse);
    }

    function load(path) {
      var known = files[path];
      if (known) {
        if (known.job) known.job.priority = Math.max(known.job.priority, priority);
        return known.promise;
      }
      var job = { path: path, priority: priority };
      var promise = new Promise(function (resolve, reject) {
        job.resolve = resolve;
        job.reject = reject;
      });
      files[path] = { promise: promise, job: job };
      promise.then(function () { files[path].job = null; }, function () { delete files[path]; });
      queue.push(job);
      pump();
      return promise;
    }

    this.open = function () {
      return Promise.all([load("meta.json.gz"), load("facets.json.gz")]).then(function (both) {
        meta = both[0];
        stop = new Set(meta.stop_words);
        shards = new Set(meta.shards);
        facets = {};
        FACETS.forEach(function (f) {
          facets[f[0]] = (both[1][f[0]] || []).map(undelta);
        });
        return meta;
      });
    };

    this.values = function (facet) {
      return facet === "topic" ? meta.topics : meta.tags;
    };

    this.members = function (facet, k) {
      return facets[facet][k];
    };

    // the query's terms: words as the index stores them; `open` marks a word still being
    // typed (the last one, unless the query ends in a space), which also matches as a prefix
    this.terms = function (query) {
      var seen = new Set();
      var ws = words(query);
      var out = [];
      ws.forEach(function (w, k) {
        if (w.length < 2 || stop.has(w)) return;
        var term = stem(w);
        if (seen.has(term) || out.length >= MAX_WORDS) return;
        seen.add(term);
        out.push({ term: term, open: k === ws.length - 1 && !/\s$/.test(query) });
      });
      return out;
    };

    // [{term, factor}] that a query word stands for: the word itself, and when it is
    // being typed or is not in the index, the most frequent words it begins
    function expansions(word) {
      var key = shardKey(word.term);
      if (!shards.has(key)) return Promise.resolve([]);
      return load("terms/" + key + ".json.gz").then(function (entries) {
        var exact = entries.filter(function (e) { return e[0] === word.term; });
        var out = exact.map(function (e) { return { term: e[0], chunk: e[2], factor: 1 }; });
        if (word.open || !exact.length) {
          entries.filter(function (e) {
            return e[0] !== word.term && e[0].lastIndexOf(word.term, 0) === 0;
          }).sort(function (a, b) {
            return b[1] - a[1] || (a[0] < b[0] ? -1 : 1);
          }).slice(0, MAX_EXPANSIONS).forEach(function (e) {
            out.push({ term: e[0], chunk: e[2], factor: PREFIX_FACTOR });
          });
        }
        return out;
      });
    }

    // for each query word, the papers it matches: [{docs, scores, titles}] per expansion
    this.match = function (queryTerms) {
      return Promise.all(queryTerms.map(function (word) {
        return expansions(word).then(function (list) {
          return Promise.all(list.map(function (x) {
            return load("postings/" + x.chunk + ".json.gz").then(function (chunk) {
              var p = chunk[x.term];
              return { docs: undelta(p[0]), scores: p[1], factor: x.factor };
            });
          }));
        });
      }));
    };

    this.papers = function (numbers) {
      var per = meta.papers_per_chunk;
      return Promise.all(numbers.map(function (n) {
        return load("papers/" + Math.floor(n / per) + ".json.gz").then(function (rows) {
          var row = rows[n % per];
          return { id: row[0], title: row[1], topics: row[2], tags: row[3], abstract: row[4] };
        });
      }));
    };

    this.size = function () { return meta.papers; };
  }

  // --- ranking ------------------------------------------------------------------------------

  // papers with every word (or, when none has, all words but one), ranked: more words
  // in the title first, then the summed scores
  function rank(size, perWord) {
    var n = perWord.length;
    var count = new Uint8Array(size);
    var inTitle = new Uint8Array(size);
    var score = new Float64Array(size);
    var best = new Float64Array(size);
    var bestTitle = new Uint8Array(size);
    var stamp = new Int32Array(size).fill(-1);
    var touched = [];
    perWord.forEach(function (lists, w) {
      lists.forEach(function (list) {
        for (var i = 0; i < list.docs.length; i++) {
          var d = list.docs[i];
          var s = list.scores[i];
          var value = (s >> 1) * list.factor;
          var title = s & 1;
          if (stamp[d] !== w) {
            stamp[d] = w;
            if (count[d] === 0) touched.push(d);
            count[d]++;
            best[d] = 0;
            bestTitle[d] = 0;
          }
          if (value > best[d]) {
            score[d] += value - best[d];
            best[d] = value;
          }
          if (title && !bestTitle[d]) {
            bestTitle[d] = 1;
            inTitle[d]++;
          }
        }
      });
    });
    var need = n;
    var hits = touched.filter(function (d) { return count[d] === need; });
    var dropped = false;
    if (!hits.length && n > 1) {
      need = n - 1;
      hits = touched.filter(function (d) { return count[d] >= need; });
      dropped = true;
    }
    hits.sort(function (a, b) {
      return count[b] - count[a] || inTitle[b] - inTitle[a] || score[b] - score[a] || a - b;
    });
    return { papers: hits, dropped: dropped };
  }

  // --- text on the page ---------------------------------------------------------------------

  function pattern(terms) {
    if (!terms.length) return null;
    var escaped = terms.map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    escaped.sort(function (a, b) { return b.length - a.length; });
    return new RegExp("(^|[^\\p{L}\\p{N}])(" + escaped.join("|") + ")", "giu");
  }

  // text with the words that begin with a query term wrapped in <mark>, built as nodes
  function highlighted(text, terms) {
    var frag = document.createDocumentFragment();
    var re = pattern(terms);
    if (!re) {
      frag.appendChild(document.createTextNode(text));
      return frag;
    }
    var last = 0;
    var m;
    while ((m = re.exec(text)) !== null) {
      var start = m.index + m[1].length;
      frag.appendChild(document.createTextNode(text.slice(last, start)));
      frag.appendChild(el("mark", null, m[2]));
      last = start + m[2].length;
      if (m[0].length === 0) re.lastIndex++;
    }
    frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  // the stretch of the abstract (about `size` words) with the most query words in it
  function excerpt(text, terms, size) {
    var tokens = [];
    var re = /[\p{L}\p{N}]+/gu;
    var m;
    while ((m = re.exec(text)) !== null) {
      var w = words(m[0])[0] || "";
      var hit = terms.some(function (t) { return w.lastIndexOf(t, 0) === 0; });
      tokens.push({ start: m.index, end: m.index + m[0].length, hit: hit ? 1 : 0 });
    }
    if (tokens.length <= size) return text;
    var bestStart = 0;
    var bestHits = -1;
    var hits = 0;
    for (var i = 0; i < tokens.length; i++) {
      hits += tokens[i].hit;
      if (i >= size) hits -= tokens[i - size].hit;
      var from = Math.max(0, i - size + 1);
      if (i >= size - 1 && hits > bestHits) {
        bestHits = hits;
        bestStart = from;
      }
    }
    // start a little before the first hit of the window, so the match has context
    var first = bestStart;
    while (first < bestStart + size && first < tokens.length && !tokens[first].hit) first++;
    var start = bestHits > 0 ? Math.max(0, Math.min(first - 4, tokens.length - size)) : 0;
    var stop = Math.min(tokens.length, start + size) - 1;
    var out = text.slice(start ? tokens[start].start : 0, tokens[stop].end);
    return (start ? "…" : "") + out + (stop < tokens.length - 1 ? "…" : "");
  }

  // --- the page -----------------------------------------------------------------------------

  function setUp(root) {
    var input = document.getElementById("search-q");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var filters = document.getElementById("search-filters");
    var jump = document.getElementById("search-jump");
    var more = document.getElementById("search-more");
    var base = new URL(root.dataset.root, window.location.href);
    var index = new Index(new URL(root.dataset.index, base));
    var selected = { topic: [], tag: [] };
    var current = { papers: [], terms: [] };
    var facetParts = {}; // facet -> {details, summary, boxes: [], counts: [], options: []}
    var shown = 0;
    var generation = 0;
    var ranQuery = null;
    var timer = 0;
    var wide = window.matchMedia("(min-width: 60em)");

    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    FACETS.forEach(function (f) { selected[f[0]] = params.getAll(f[0]); });
    status.textContent = "Loading the index…";

    function keepInAddress() {
      var p = new URLSearchParams();
      if (input.value) p.set("q", input.value);
      FACETS.forEach(function (f) {
        selected[f[0]].forEach(function (v) { p.append(f[0], v); });
      });
      var query = p.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    }

    function filtering() {
      return FACETS.some(function (f) { return selected[f[0]].length > 0; });
    }

    // papers allowed by the selected values of each facet (any of them), except `skip`
    function allowedBy(skip) {
      var allowed = null;
      FACETS.forEach(function (f) {
        var facet = f[0];
        if (facet === skip || !selected[facet].length) return;
        var mine = new Uint8Array(index.size());
        index.values(facet).forEach(function (value, k) {
          if (selected[facet].indexOf(value) < 0) return;
          index.members(facet, k).forEach(function (d) { mine[d] = 1; });
        });
        if (allowed) {
          for (var i = 0; i < mine.length; i++) allowed[i] &= mine[i];
        } else {
          allowed = mine;
        }
      });
      return allowed;
    }

    // for each facet, how many of `papers` each value has, counting the papers that the
    // other facets' filters allow (so a choice shows what adding a value would give)
    function counts(papers) {
      var out = {};
      FACETS.forEach(function (f) {
        var facet = f[0];
        var allowed = allowedBy(facet);
        var inResults = new Uint8Array(index.size());
        papers.forEach(function (d) { if (!allowed || allowed[d]) inResults[d] = 1; });
        out[facet] = index.values(facet).map(function (_, k) {
          var n = 0;
          index.members(facet, k).forEach(function (d) { n += inResults[d]; });
          return n;
        });
      });
      return out;
    }

    // The filters are built once: one collapsible group per facet, a fieldset of
    // checkboxes with counts; a search updates the counts, so focus stays where it is.
    function buildFacets() {
      filters.textContent = "";
      FACETS.forEach(function (f) {
        var facet = f[0];
        var values = index.values(facet);
        if (!values.length) return;
        var details = el("details", "search__facet-group");
        details.open = wide.matches || selected[facet].length > 0;
        var summary = el("summary", null, f[1]);
        details.appendChild(summary);
        var group = el("fieldset", "search__facet");
        group.appendChild(el("legend", "visually-hidden", "Filter by " + f[1].toLowerCase()));
        var parts = { details: details, summary: summary, title: f[1], boxes: [], counts: [],
                      options: [] };
        values.forEach(function (value, k) {
          var label = el("label", "search__facet-option");
          var box = el("input");
          box.type = "checkbox";
          box.value = value;
          box.name = facet;
          box.checked = selected[facet].indexOf(value) >= 0;
          box.addEventListener("change", function () {
            selected[facet] = parts.boxes.filter(function (b) { return b.checked; })
              .map(function (b) { return b.value; });
            run();
          });
          label.appendChild(box);
          label.appendChild(el("span", "search__facet-name", value));
          var count = el("span", "search__facet-count",
            String(index.members(facet, k).length));
          label.appendChild(count);
          parts.boxes.push(box);
          parts.counts.push(count);
          parts.options.push(label);
          group.appendChild(label);
        });
        details.appendChild(group);
        filters.appendChild(details);
        facetParts[facet] = parts;
      });
      var clear = el("button", "md-button search__clear", "Clear the filters");
      clear.type = "button";
      clear.hidden = true;
      clear.addEventListener("click", function () {
        FACETS.forEach(function (f) { selected[f[0]] = []; });
        run();
        input.focus();
      });
      filters.appendChild(clear);
      filters.hidden = false;
      jump.hidden = false;
      jump.addEventListener("click", function () {
        FACETS.forEach(function (f) {
          if (facetParts[f[0]]) facetParts[f[0]].details.open = true;
        });
      });
    }

    function updateFacets(numbers) {
      FACETS.forEach(function (f) {
        var parts = facetParts[f[0]];
        if (!parts) return;
        var chosen = selected[f[0]];
        parts.summary.textContent = parts.title + (chosen.length ? " (" + chosen.length +
          " selected)" : "");
        parts.boxes.forEach(function (box, k) {
          box.checked = chosen.indexOf(box.value) >= 0;
          var n = numbers ? numbers[f[0]][k] : index.members(f[0], k).length;
          parts.counts[k].textContent = String(n);
          parts.options[k].classList.toggle("search__facet-option--empty", n === 0 &&
            !box.checked);
        });
      });
      var clear = filters.querySelector(".search__clear");
      if (clear) clear.hidden = !filtering();
      jump.textContent = filtering() ? "Filters (" + FACETS.reduce(function (n, f) {
        return n + selected[f[0]].length;
      }, 0) + " selected)" : "Filter by topic or tag";
    }

    function renderEmpty(query) {
      list.textContent = "";
      var item = el("li", "search__empty");
      item.appendChild(el("p", null, "No paper matches “" + query + "”" +
        (filtering() ? " with these filters." : ".")));
      var tips = el("ul");
      if (filtering()) {
        var clear = el("button", "md-button", "Search without the filters");
        clear.type = "button";
        clear.addEventListener("click", function () {
          FACETS.forEach(function (f) { selected[f[0]] = []; });
          run();
        });
        var li = el("li");
        li.appendChild(clear);
        tips.appendChild(li);
      }
      var ws = words(query);
      if (ws.length > 1) {
        var shorter = ws.slice(0, -1).join(" ");
        var a = el("a", null, "Search for “" + shorter + "”");
        a.href = "?q=" + encodeURIComponent(shorter);
        var li2 = el("li");
        li2.appendChild(a);
        tips.appendChild(li2);
      }
      var browse = el("li");
      browse.appendChild(document.createTextNode("Check the spelling, or browse the "));
      var topics = el("a", null, "topics");
      topics.href = new URL("topics/", base).href;
      browse.appendChild(topics);
      browse.appendChild(document.createTextNode("."));
      tips.appendChild(browse);
      item.appendChild(tips);
      list.appendChild(item);
    }

    function renderMore(mine) {
      var batch = current.papers.slice(shown, shown + PAGE);
      shown += batch.length;
      more.hidden = shown >= current.papers.length;
      var terms = current.terms;
      return index.papers(batch).then(function (papers) {
        if (mine !== generation) return;
        papers.forEach(function (p) {
          var item = el("li", "paper-item search__result");
          var link = el("a", "paper-item__title");
          link.href = new URL("papers/" + encodeURIComponent(p.id) + "/", base).href;
          link.appendChild(highlighted(p.title, terms));
          item.appendChild(link);
          var topics = index.values("topic");
          if (p.topics.length) {
            item.appendChild(el("span", "paper-item__meta search__topics",
              p.topics.map(function (k) { return topics[k]; }).join(" · ")));
          }
          if (p.tags.length) {
            var tags = index.values("tag");
            item.appendChild(el("span", "paper-item__meta search__tags",
              p.tags.map(function (k) { return "#" + tags[k]; }).join(" ")));
          }
          var teaser = el("span", "paper-item__teaser");
          teaser.appendChild(highlighted(excerpt(p.abstract, terms, 32), terms));
          item.appendChild(teaser);
          list.appendChild(item);
        });
      });
    }

    function finish(query, mine) {
      if (mine !== generation) return;
      root.dataset.searchQuery = query;
      root.dataset.searchDone = String(mine);
    }

    function run() {
      window.clearTimeout(timer);
      keepInAddress();
      var query = input.value.trim();
      var mine = ++generation;
      ranQuery = input.value;
      var queryTerms = index.terms(input.value);
      index.prioritise(mine);
      if (!queryTerms.length && !filtering()) {
        list.textContent = "";
        more.hidden = true;
        updateFacets(null);
        status.textContent = query ? "Type a longer word: “" + query + "” is too common or short."
          : "Type to search.";
        finish(query, mine);
        return Promise.resolve();
      }
      return index.match(queryTerms).then(function (perWord) {
        if (mine !== generation) return;
        var found;
        if (queryTerms.length) {
          found = rank(index.size(), perWord);
        } else {
          var everything = [];
          for (var d = 0; d < index.size(); d++) everything.push(d);
          found = { papers: everything, dropped: false };
        }
        updateFacets(counts(found.papers));
        var allowed = allowedBy(null);
        current = {
          papers: allowed ? found.papers.filter(function (d) { return allowed[d]; })
            : found.papers,
          terms: queryTerms.map(function (t) { return t.term; })
        };
        shown = 0;
        list.textContent = "";
        if (!current.papers.length) {
          status.textContent = "No results.";
          more.hidden = true;
          renderEmpty(query);
          finish(query, mine);
          return;
        }
        var n = current.papers.length;
        status.textContent = n + (n === 1 ? " paper" : " papers") +
          (found.dropped ? " with all words but one (none has every word)" : "");
        return renderMore(mine).then(function () { finish(query, mine); });
      }).catch(function (error) {
        if (mine === generation) status.textContent = "Search failed (" + error.message + ").";
      });
    }

    // --- the keyboard: ↓ from the box to the results, ↑ ↓ through them, Enter opens ----

    function resultLinks() {
      return Array.prototype.slice.call(list.querySelectorAll("a.paper-item__title"));
    }

    function openFirst() {
      var first = resultLinks()[0];
      if (first) window.location.href = first.href;
    }

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        if (ranQuery !== input.value || timer) {
          timer = 0;
          run().then(openFirst);
        } else {
          openFirst();
        }
      } else if (event.key === "ArrowDown") {
        var first = resultLinks()[0];
        if (first) {
          event.preventDefault();
          first.focus();
        }
      }
    });

    list.addEventListener("keydown", function (event) {
      var links = resultLinks();
      var k = links.indexOf(document.activeElement);
      if (k < 0) return;
      if (event.key === "ArrowDown" && k + 1 < links.length) {
        event.preventDefault();
        links[k + 1].focus();
      } else if (event.key === "ArrowDown" && !more.hidden) {
        event.preventDefault();
        more.focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (k > 0 ? links[k - 1] : input).focus();
      } else if (event.key === "Escape") {
        event.preventDefault();
        input.focus();
      }
    });

    more.addEventListener("click", function () {
      var before = resultLinks().length;
      renderMore(generation).then(function () {
        var next = resultLinks()[before];
        if (next) next.focus();
      });
    });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { timer = 0; run(); }, DEBOUNCE_MS);
    });

    index.open().then(function () {
      buildFacets();
      updateFacets(null);
      status.textContent = "Type to search.";
      root.dataset.searchReady = "true";
      // a link with ?q= opens on its results (the skip link stays the first stop); an empty
      // page is for typing, unless the reader has already moved on
      if (input.value || filtering()) run();
      else if (document.activeElement === document.body) input.focus();
    }).catch(function (error) {
      status.textContent = "The search index could not be loaded (" + error.message + ").";
    });

    // the same rules as the index, for a test to compare with generator/search.py
    root.searchWords = function (text) { return words(text).map(stem); };
  }

  function focusSearch(event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    event.preventDefault();
    var box = document.getElementById("search-q");
    if (box) {
      box.focus();
      box.select();
    } else {
      var link = document.querySelector('a.md-tabs__link[href$="search/"]');
      if (link) window.location.href = link.href;
    }
  }

  function start() {
    document.addEventListener("keydown", focusSearch);
    var root = document.getElementById("paper-search");
    if (root) setUp(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
