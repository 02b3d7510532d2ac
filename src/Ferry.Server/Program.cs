using Ferry.Server;

return await FerryHost.RunAsync(args);
