/// <reference path="./.sst/platform/config.d.ts" />

// SST forbids top-level imports here: the stacks are loaded inside run().
export default $config({
  app(input) {
    const production = input?.stage === "production";
    return {
      name: "freshet",
      home: "aws",
      removal: production ? "retain" : "remove",
      protect: production,
    };
  },
  async run() {
    const { stageConfig } = await import("./stacks/config.ts");
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

    stripLinkPermissions();
    const config = stageConfig($app.stage);
    const { lake } = createStorage(config);
    const { url, stream } = createIngest({ config, lake });
    const { marketingAlerts, opsAlerts, bus } = createAlerts(config);
    const warehouse = createWarehouse({ config, lake });
    const { planner } = createLoad({ config, lake, warehouse });
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
    });
    createTriageTrigger({ config, lake, workflow: workflows.DeadLetterTriage! });

    return {
      ingestUrl: url,
      lakeBucket: lake.name,
      eventsStream: stream.name,
      warehouseWorkgroup: warehouse.workgroup.workgroupName,
      anomalyEndpoint: anomaly.endpointName,
    };
  },
});
