// The import rules of docs/ARCHITECTURE.md, checked by `npm run lint` (and so by `npm test`).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Rooms depend one way: a cycle means a concept sits in two places.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-core',
      comment: 'vision/ and verdict/ are pure: tested with numbers, never with files, ports, sockets or the database.',
      severity: 'error',
      from: { path: '^station/(vision|verdict)/' },
      to: {
        path: [
          '^station/(store|server|signals|capture|trigger|runtime|calibrate|engines|demo)/',
          '^station/(app|main|config)\\.ts$',
          '^(node:)?(fs|fs/promises|net|http|https|child_process|dgram|worker_threads)$',
          'node_modules/(express|socket\\.io|better-sqlite3|serialport|@serialport|usb|@u4/opencv4nodejs)/',
        ],
      },
    },
    {
      name: 'cores-apart',
      comment:
        'vision/ (how an item looks) and verdict/ (what a score means) run apart and meet only in the rooms that use ' +
        'both; the reference-set file may name the band type it carries (types only, erased at run time).',
      severity: 'error',
      from: { path: '^station/(vision|verdict)/' },
      to: { path: '^station/(vision|verdict)/', pathNot: '^station/$1/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'engines-below-their-users',
      comment:
        'station/engines/ is the pool of loaded vision engines that the station (runtime/) and calibration (calibrate/) ' +
        'share, so it imports neither: only vision/, shared/, schema/ and the model loader (models/).',
      severity: 'error',
      from: { path: '^station/engines/' },
      to: { path: '^station/(?!engines/|vision/|shared/|schema/)' },
    },
    {
      name: 'shared-is-a-leaf',
      comment: 'station/shared/ and station/schema/ hold what every room may use, so they import no other room.',
      severity: 'error',
      from: { path: '^station/(shared|schema)/' },
      to: { path: '^station/(?!shared/|schema/)' },
    },
    {
      name: 'dashboard-over-http',
      comment:
        'The dashboard is a browser app: it talks to the station over HTTP and socket.io only. ' +
        'The wire contract (types only, erased at build) is the one thing it shares.',
      severity: 'error',
      from: { path: '^dashboard/' },
      to: { path: '^(station|hub|scripts|models|tests)/', pathNot: '^station/server/contract\\.d\\.ts$' },
    },
    {
      name: 'station-without-hub',
      comment:
        'A station runs alone, offline first: it knows the workshop network only by its own wire (station/network/), ' +
        'never by the hub that receives it.',
      severity: 'error',
      from: { path: '^station/' },
      to: { path: '^hub/' },
    },
    {
      name: 'hub-reads-the-wire',
      comment:
        "The hub is a second entry point of the project: of the station it may use only the wire's topics and " +
        'schemas (station/network/), the domain words (station/shared/) and the leaf every schema uses ' +
        '(station/schema/: the one-line error format its config shares), never the bench itself.',
      severity: 'error',
      from: { path: '^hub/' },
      to: { path: '^station/', pathNot: '^station/(network|shared|schema)/' },
    },
    {
      name: 'tests-stay-out',
      comment: 'Nothing the station or its scripts run may depend on test code.',
      severity: 'error',
      from: { path: '^(station|hub|scripts|models|dashboard)/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
