// The reference headless client: plain JavaScript, no build step, public API only.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("app-config").textContent);
  var S = JSON.parse(document.getElementById("app-strings").textContent);
  var TOKEN = "anju_token";
  var $ = function (id) { return document.getElementById(id); };

  function token() { return window.localStorage.getItem(TOKEN); }

  function newKey() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function errorText(body) {
    if (!body) { return ""; }
    if (typeof body === "string") { return body; }
    if (body.detail) { return body.detail; }
    var parts = [];
    Object.keys(body).forEach(function (key) {
      var value = body[key];
      parts.push(Array.isArray(value) ? value.join(" ") : String(value));
    });
    return parts.join(" ");
  }

  function api(method, path, body, headers) {
    // The API answers in the language asked for; the page's, not the browser's.
    var sent = { "Accept": "application/json", "Accept-Language": document.documentElement.lang };
    if (token()) { sent["Authorization"] = "Bearer " + token(); }
    if (body !== undefined) { sent["Content-Type"] = "application/json"; }
    Object.keys(headers || {}).forEach(function (k) { sent[k] = headers[k]; });
    return fetch(path, {
      method: method, headers: sent, credentials: "omit",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = text ? JSON.parse(text) : null;
        if (!response.ok) {
          if (response.status === 401 && token()) { signedOut(); }
          var error = new Error(errorText(data) || String(response.status));
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function say(id, text, isError) {
    var el = $(id);
    el.textContent = text;
    el.className = isError ? "error" : "";
  }

  // --- signing in ---------------------------------------------------------------
  function signedIn(name) {
    $("signin").hidden = true;
    $("me").hidden = false;
    $("me-label").textContent = S.signed_in_as;
    $("me-name").textContent = name;
    $("request-hint").textContent = "";
    loadForms();
    loadCases();
  }

  function signedOut() {
    window.localStorage.removeItem(TOKEN);
    $("signin").hidden = false;
    $("me").hidden = true;
    $("request-hint").textContent = S.sign_in_first;
    $("case-list").innerHTML = "";
  }

  $("send-code").addEventListener("click", function () {
    api("POST", config.api + "auth/code/", { phone: $("phone").value })
      .then(function (data) { say("signin-message", data.detail); $("code").focus(); })
      .catch(function (e) { say("signin-message", S.failed + " " + e.message, true); });
  });

  $("sign-in").addEventListener("click", function () {
    api("POST", config.api + "auth/token/", {
      phone: $("phone").value, code: $("code").value, device: "Anju app"
    }).then(function (data) {
      window.localStorage.setItem(TOKEN, data.token);
      say("signin-message", "");
      signedIn(data.user);
    }).catch(function (e) { say("signin-message", S.failed + " " + e.message, true); });
  });

  $("sign-out").addEventListener("click", function () {
    api("POST", config.api + "auth/revoke/").catch(function () {}).then(signedOut);
  });

  // --- notices and jobs (Wagtail's page API) -------------------------------------
  function loadPages() {
    config.pageTypes.forEach(function (kind) {
      var section = document.createElement("section");
      section.className = "page-list";
      section.setAttribute("data-type", kind.type);
      var heading = document.createElement("h2");
      heading.textContent = kind.title;
      var list = document.createElement("ul");
      section.appendChild(heading);
      section.appendChild(list);
      $("page-lists").appendChild(section);
      var query = "?type=" + encodeURIComponent(kind.type) + "&order=-first_published_at&limit=20";
      fetch(config.api + "v2/pages/" + query, { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) {
          if (!data.items.length) {
            var empty = document.createElement("li");
            empty.textContent = S.nothing;
            list.appendChild(empty);
          }
          data.items.forEach(function (page) {
            var item = document.createElement("li");
            var link = document.createElement("a");
            link.href = page.meta.html_url || "#";
            link.textContent = page.title;
            item.appendChild(link);
            list.appendChild(item);
          });
        });
    });
  }

  // --- filing a request ----------------------------------------------------------
  var forms = [];
  var idempotencyKey = newKey();

  function field(spec) {
    var label = document.createElement("label");
    label.textContent = spec.label + (spec.required ? " *" : "") + " ";
    var input;
    if (spec.type === "long_text") {
      input = document.createElement("textarea");
    } else if (spec.choices && spec.choices.length && spec.type !== "multiple_choice") {
      input = document.createElement("select");
      input.appendChild(document.createElement("option"));
      spec.choices.forEach(function (choice) {
        var option = document.createElement("option");
        option.value = choice.value;
        option.textContent = choice.label;
        input.appendChild(option);
      });
    } else if (spec.type === "file" || spec.type === "household" || spec.type === "multiple_choice") {
      return null; // not offered by this small client
    } else {
      input = document.createElement("input");
      input.type = { number: "number", date: "date", boolean: "checkbox" }[spec.type] || "text";
    }
    input.name = spec.name;
    input.required = spec.required;
    label.appendChild(input);
    return label;
  }

  function showForm() {
    var form = $("request-form");
    form.innerHTML = "";
    idempotencyKey = newKey();
    var chosen = forms.filter(function (f) { return f.slug === $("form-choice").value; })[0];
    if (!chosen) { return; }
    chosen.fields.forEach(function (spec) {
      var el = field(spec);
      if (el) { form.appendChild(el); }
    });
    [["requester_name", S.your_name], ["requester_phone", S.your_phone]].forEach(function (pair) {
      var el = field({ name: pair[0], label: pair[1], type: "text", required: true });
      form.appendChild(el);
    });
    form.elements.requester_phone.value = $("phone").value;
    var submit = document.createElement("button");
    submit.type = "submit";
    submit.textContent = S.submit;
    form.appendChild(submit);
  }

  function loadForms() {
    api("GET", config.api + "services/forms/").then(function (data) {
      forms = data;
      var select = $("form-choice");
      select.innerHTML = "";
      var first = document.createElement("option");
      first.value = "";
      first.textContent = S.choose_form;
      select.appendChild(first);
      data.forEach(function (f) {
        var option = document.createElement("option");
        option.value = f.slug;
        option.textContent = f.title;
        select.appendChild(option);
      });
    });
  }

  $("form-choice").addEventListener("change", showForm);

  $("request-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) { return; }
      body[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    api("POST", config.api + "services/forms/" + $("form-choice").value + "/submit/", body,
        { "Idempotency-Key": idempotencyKey })
      .then(function (data) {
        say("request-message", S.filed + " " + data.reference);
        idempotencyKey = newKey();
        loadCases();
      })
      .catch(function (e) { say("request-message", S.failed + " " + e.message, true); });
  });

  // --- following requests --------------------------------------------------------
  function loadCases() {
    if (!token()) { return; }
    api("GET", config.api + "services/my-cases/").then(function (data) {
      var list = $("case-list");
      list.innerHTML = "";
      if (!data.results.length) {
        var empty = document.createElement("li");
        empty.textContent = S.nothing;
        list.appendChild(empty);
      }
      data.results.forEach(function (c) {
        var item = document.createElement("li");
        item.className = "case";
        item.setAttribute("data-reference", c.reference);
        item.textContent = c.reference + " · " + (c.service_title || c.service || "") +
          " · " + (c.status_label || c.status);
        list.appendChild(item);
      });
    }).catch(function () {});
  }

  $("refresh-cases").addEventListener("click", loadCases);

  loadPages();
  if (token()) {
    api("GET", config.api + "auth/me/")
      .then(function (me) { signedIn(me.user); })
      .catch(signedOut);
  } else {
    signedOut();
  }
})();
