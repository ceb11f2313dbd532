/* A page shown in answer to a form (a form sent back with its errors) takes the place of its
   history entry under a plain address: Back and Forward then load that address again instead
   of Chromium's "Confirm form resubmission" (ERR_CACHE_MISS) page. Without script, nothing
   changes; every successful form already answers with a redirect. */
(function () {
  var address = document.documentElement.getAttribute("data-get-address");
  if (address && window.history && typeof window.history.replaceState === "function") {
    window.history.replaceState(null, "", address);
  }
})();
