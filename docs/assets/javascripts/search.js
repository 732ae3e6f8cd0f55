// The search page: Pagefind's chunked index, queried as you type, rendered without
// any HTML from the index becoming markup: every string becomes a text node (Pagefind's
// excerpt is parsed in an inert document only to recover its words and marks), with topic
// and tag filters and the query kept in the address (?q=...&topic=...&tag=...).
(function () {
  "use strict";

  var PAGE = 20;
  var FACETS = [["topic", "Topics"], ["tag", "Tags"]];

  function el(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function words(query) {
    return (query || "").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) {
      return w.length > 1;
    });
  }

  // text with the query's words (as word prefixes) wrapped in <mark>, built as nodes
  function highlighted(text, query) {
    var frag = document.createDocumentFragment();
    var terms = words(query).map(function (w) {
      return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    });
    if (!terms.length) {
      frag.appendChild(document.createTextNode(text));
      return frag;
    }
    var re = new RegExp("(^|[^\\p{L}\\p{N}])(" + terms.join("|") + ")", "giu");
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

  // Pagefind's excerpt is HTML with <mark>; keep its words and marks, never its markup
  function excerptText(html) {
    var open = "\u0001", close = "\u0002";
    var marked = html.replace(/<mark>/g, open).replace(/<\/mark>/g, close);
    var doc = new DOMParser().parseFromString(marked, "text/html");
    return doc.body ? doc.body.textContent : "";
  }

  function excerptNodes(text) {
    var frag = document.createDocumentFragment();
    text.split(/(\u0001[^\u0002]*\u0002)/).forEach(function (part) {
      if (part.charAt(0) === "\u0001") {
        frag.appendChild(el("mark", null, part.slice(1, -1)));
      } else if (part) {
        frag.appendChild(document.createTextNode(part));
      }
    });
    return frag;
  }

  function setUp(root) {
    var input = document.getElementById("search-q");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var facetBox = document.getElementById("search-facets");
    var more = document.getElementById("search-more");
    var base = new URL(root.dataset.root, window.location.href);
    var pagefind = null;
    var selected = { topic: [], tag: [] };
    var current = [];
    var shown = 0;
    var generation = 0;

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

    function filters() {
      var out = {};
      FACETS.forEach(function (f) {
        if (selected[f[0]].length) out[f[0]] = { any: selected[f[0]] };
      });
      return out;
    }

    function renderFacets(all, remaining) {
      facetBox.textContent = "";
      FACETS.forEach(function (f) {
        var values = Object.keys(all[f[0]] || {}).sort();
        if (!values.length) return;
        var group = el("fieldset", "search__facet");
        group.appendChild(el("legend", null, f[1]));
        values.forEach(function (value) {
          var label = el("label", "search__facet-option");
          var box = el("input");
          box.type = "checkbox";
          box.value = value;
          box.name = f[0];
          box.checked = selected[f[0]].indexOf(value) >= 0;
          box.addEventListener("change", function () {
            selected[f[0]] = Array.prototype.map.call(
              group.querySelectorAll("input:checked"), function (b) { return b.value; });
            run();
          });
          var count = remaining && remaining[f[0]] ? (remaining[f[0]][value] || 0) : "";
          label.appendChild(box);
          label.appendChild(document.createTextNode(" " + value + " "));
          label.appendChild(el("span", "search__facet-count", String(count)));
          group.appendChild(label);
        });
        facetBox.appendChild(group);
      });
    }

    function renderEmpty(query) {
      list.textContent = "";
      var item = el("li", "search__empty");
      item.appendChild(el("p", null, "No paper matches “" + query + "”" +
        (Object.keys(filters()).length ? " with these filters." : ".")));
      var tips = el("ul");
      if (Object.keys(filters()).length) {
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

    function renderMore(query, mine) {
      var batch = current.slice(shown, shown + PAGE);
      shown += batch.length;
      more.hidden = shown >= current.length;
      return Promise.all(batch.map(function (r) { return r.data(); })).then(function (data) {
        if (mine !== generation) return;
        data.forEach(function (d) {
          var item = el("li", "paper-item search__result");
          var link = el("a", "paper-item__title");
          link.href = d.url;
          link.appendChild(highlighted((d.meta && d.meta.title) || d.url, query));
          item.appendChild(link);
          if (d.meta && d.meta.topics) {
            item.appendChild(el("span", "paper-item__labels search__topics", d.meta.topics));
          }
          var teaser = el("span", "paper-item__teaser");
          var text = (d.meta && d.meta.teaser) || "";
          var hits = words(query).some(function (w) {
            return text.toLowerCase().indexOf(w) >= 0;
          });
          if (text && (hits || !d.excerpt)) {
            teaser.appendChild(highlighted(text, query));
          } else {
            teaser.appendChild(excerptNodes(excerptText(d.excerpt || "")));
          }
          item.appendChild(teaser);
          list.appendChild(item);
        });
      });
    }

    // Pagefind finds pages with every word. When none has them all, show the pages that
    // have all words but one, best first, rather than nothing.
    function relaxed(search, query, chosen) {
      var ws = query.split(/\s+/).filter(Boolean);
      if (search.results.length || ws.length < 2) {
        return Promise.resolve({ search: search, dropped: false });
      }
      var queries = ws.map(function (_, k) {
        return ws.filter(function (__, j) { return j !== k; }).join(" ");
      });
      return Promise.all(queries.map(function (q) {
        return pagefind.search(q, { filters: chosen });
      })).then(function (all) {
        var best = {};
        all.forEach(function (s) {
          s.results.forEach(function (r) {
            if (!best[r.id] || best[r.id].score < r.score) best[r.id] = r;
          });
        });
        var merged = Object.keys(best).map(function (id) { return best[id]; });
        merged.sort(function (a, b) { return b.score - a.score || (a.id < b.id ? -1 : 1); });
        return { search: { results: merged, filters: all[0].filters }, dropped: true };
      });
    }

    function run() {
      keepInAddress();
      var query = input.value.trim();
      var mine = ++generation;
      var chosen = filters();
      if (!query && !Object.keys(chosen).length) {
        list.textContent = "";
        more.hidden = true;
        status.textContent = "Type to search.";
        return Promise.resolve();
      }
      return pagefind.debouncedSearch(query || null, { filters: chosen }, 60)
        .then(function (search) {
          if (search === null || mine !== generation) return null;
          return relaxed(search, query, chosen);
        })
        .then(function (found) {
          if (found === null || mine !== generation) return;
          var search = found.search;
          current = search.results;
          shown = 0;
          list.textContent = "";
          pagefind.filters().then(function (all) {
            renderFacets(all, found.dropped ? null : search.filters);
          });
          if (!current.length) {
            status.textContent = "No results.";
            more.hidden = true;
            renderEmpty(query);
            root.dataset.searchQuery = query;
            root.dataset.searchDone = String(mine);
            return;
          }
          status.textContent = current.length + (current.length === 1 ? " paper" : " papers") +
            (found.dropped ? " with all words but one (none has every word)" : "");
          return renderMore(query, mine).then(function () {
            if (mine === generation) {
              root.dataset.searchQuery = query;
              root.dataset.searchDone = String(mine);
            }
          });
        });
    }

    more.addEventListener("click", function () { renderMore(input.value.trim(), generation); });
    input.addEventListener("input", run);

    import(new URL("pagefind/pagefind.js", base).href).then(function (module) {
      pagefind = module;
      return pagefind.options({ baseUrl: base.pathname, excerptLength: 24 });
    }).then(function () {
      return pagefind.init();
    }).then(function () {
      return pagefind.filters();
    }).then(function (all) {
      renderFacets(all, null);
      status.textContent = "Type to search.";
      root.dataset.searchReady = "true";
      if (input.value || Object.keys(filters()).length) run();
      input.focus();
    }).catch(function (error) {
      status.textContent = "The search index could not be loaded (" + error.message + ").";
    });
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
