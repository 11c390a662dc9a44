/// <reference path="./.sst/platform/config.d.ts" />

// SST forbids top-level imports here: the stacks are loaded inside run().
export default $config({
  app(input) {
    // Protected stages: the same list and variable as stacks/config.ts (PROTECTED_STAGES,
    // PROTECTED_STAGES_ENV), which cannot be imported here; a test and run() check they agree.
    const protectedStages = [
      "production",
      "prod",
      ...(process.env.FRESHET_PROTECTED_STAGES ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0),
    ];
    const isProtected = protectedStages.includes(input?.stage ?? "");
    return {
      name: "freshet",
      home: "aws",
      removal: isProtected ? "retain" : "remove",
      protect: isProtected,
    };
  },
  async run() {
    const { checkProtection, stageConfig } = await import("./stacks/config.ts");
    const { stripLinkPermissions } = await import("./stacks/links.ts");
    const { createStorage } = await import("./stacks/storage.ts");
    const { createIngest } = await import("./stacks/ingest.ts");
    const { createAlerts } = await import("./stacks/alerts.ts");
    const { createWorkflows } = await import("./stacks/workflows.ts");
    const { createWarehouse } = await import("./stacks/warehouse.ts");
    const { createLoad, loadSchedule } = await import("./stacks/load.ts");
    const { maintenanceScheduleExpression, maintenanceScheduleInput } = await import("./stacks/maintenance.ts");
    const { createTriage, createTriageTrigger } = await import("./stacks/triage.ts");
    const { createAnomalyDecider } = await import("./stacks/anomaly-decider.ts");
    const { createAnomaly } = await import("./stacks/anomaly.ts");
    const { createMonitoring } = await import("./stacks/monitoring.ts");
    const { createMetricsApi } = await import("./stacks/metrics-api.ts");

    stripLinkPermissions();
    const config = stageConfig($app.stage);
    checkProtection(config, $app);
    const { lake } = createStorage(config);
    const ingest = createIngest({ config, lake });
    const { url, stream, api } = ingest;
    const { marketingAlerts, opsAlerts, bus } = createAlerts(config);
    const warehouse = createWarehouse({ config, lake });
    const metricsApi = createMetricsApi({ api, warehouse });
    const { planner, plannerDatabaseUser } = createLoad({ config, lake, warehouse });
    const loadExpression = loadSchedule(config);
    const triageFunction = createTriage({ config, lake, stream });
    const anomaly = createAnomaly({ config, lake });
    const workflows = createWorkflows({
      lake,
      opsAlerts,
      marketingAlerts,
      bus,
      warehouse,
      loadPlanner: planner,
      triageFunction,
      anomalyDecider: createAnomalyDecider({ lake }),
      anomaly,
      scheduleExpression: (s) => maintenanceScheduleExpression(config, s) ?? loadExpression(s),
      scheduleInput: maintenanceScheduleInput(config),
      // Load's first run calls the planner, which reads its own statements.
      startAfter: [plannerDatabaseUser],
    });
    createTriageTrigger({ config, lake, workflow: workflows.DeadLetterTriage! });
    // Last: its alarms and dashboard name the resources above.
    createMonitoring({ config, ingest, workflows, opsAlerts });

    return {
      ingestUrl: url,
      metricsUrl: metricsApi.url,
      lakeBucket: lake.name,
      eventsStream: stream.name,
      warehouseWorkgroup: warehouse.workgroup.workgroupName,
      anomalyEndpoint: anomaly.endpointName,
    };
  },
});
