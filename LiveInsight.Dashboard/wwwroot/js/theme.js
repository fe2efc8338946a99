// Runs before the first paint (a classic script in <head>): dark or light from the saved choice, else the system's.
(function () {
  var saved = null;
  try { saved = localStorage.getItem("li_theme"); } catch (e) { /* storage may be blocked */ }
  var dark = saved === "dark" || (saved !== "light" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
})();
