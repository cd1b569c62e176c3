// skillmatch web interface: upload SBB dossiers one file at a time, with a progress bar and a result per file;
// a single file above the upload limit goes to the import job instead (its page shows the progress).
// Without JavaScript the form posts all files at once and the page shows the same results.
(function () {
  "use strict";

  function uploadOne(form, file, row) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      var bar = row.querySelector("progress");
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "fetch");
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) { bar.value = Math.round((event.loaded / event.total) * 90); }
      };
      xhr.upload.onload = function () {
        bar.value = 90;
        row.querySelector(".state").textContent = "wordt verwerkt…";
      };
      xhr.onload = function () {
        row.innerHTML = xhr.responseText;
        resolve(xhr.status < 400);
      };
      xhr.onerror = function () {
        row.innerHTML = '<div class="upload-result failed"><div class="filename"></div>' +
          '<div class="alert error" role="alert"><strong>De verbinding met de server is verbroken.</strong>' +
          "<p>Controleer of skillmatch nog draait en probeer het opnieuw.</p></div></div>";
        row.querySelector(".filename").textContent = file.name;
        resolve(false);
      };
      xhr.send(data);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-upload]")) { return; }
    var input = form.querySelector("input[type=file]");
    if (!input.files.length) { return; }
    // One file larger than a single upload may be (a national export): import it as a job instead; the
    // browser posts the form and lands on the job's progress page.
    var max = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
    if (max && input.files.length === 1 && input.files[0].size > max && form.getAttribute("data-import-action")) {
      form.action = form.getAttribute("data-import-action");
      return;
    }
    event.preventDefault();
    var results = document.getElementById("upload-results");
    results.innerHTML = "";
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    var files = Array.prototype.slice.call(input.files);
    var chain = Promise.resolve();
    files.forEach(function (file) {
      var row = document.createElement("div");
      row.className = "upload-row";
      row.innerHTML = '<div class="filename"></div><progress max="100" value="0"></progress> <span class="state">wordt verstuurd…</span>';
      row.querySelector(".filename").textContent = file.name;
      results.appendChild(row);
      chain = chain.then(function () { return uploadOne(form, file, row); });
    });
    chain.then(function () {
      button.disabled = false;
      input.value = "";
      var done = document.createElement("p");
      done.className = "upload-done";
      done.innerHTML = 'Klaar. <a href="/ui/catalogus">Lijst vernieuwen</a>';
      results.appendChild(done);
      if (window.htmx) {
        htmx.ajax("GET", "/ui/catalogus", { target: "#programmes", swap: "innerHTML" });
        fetch("/ui/catalogus").then(function (r) { return r.text(); }).then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("dossier-section");
          var section = document.getElementById("dossier-section");
          if (fresh && section) { section.replaceWith(fresh); }
        });
      }
    });
  });
})();
