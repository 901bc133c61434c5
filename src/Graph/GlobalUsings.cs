// OpRecordContext moved from Compiler/ to Execution/ (recording is not the pure plan); every op's Record hook names it.
global using VkResNet.Graph.Execution;
