// Recording lives in Execution/ (not the pure plan); every op's Record hook and every kernel launcher names its CommandRecorder.
global using VkResNet.Graph.Execution;
