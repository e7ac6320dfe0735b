// The theme the user chose (Mantine's localStorage manager, key below) or the system's; applied before React renders.
(function () {
  try {
    var stored = window.localStorage.getItem('patchmon-color-scheme');
    var scheme = stored === 'light' || stored === 'dark' ? stored
      : window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    document.documentElement.setAttribute('data-mantine-color-scheme', scheme);
  } catch (e) {
    document.documentElement.setAttribute('data-mantine-color-scheme', 'light');
  }
})();
